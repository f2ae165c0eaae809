-- a syslog source takes its address's messages over every transport
UPDATE log_sources SET kind = 'syslog' WHERE kind IN ('syslog-udp', 'syslog-tcp', 'syslog-tls');
