-- HTTP source tokens get the narrow log_sender role
UPDATE api_tokens SET role = 'log_sender'
WHERE role = 'analyst' AND id IN (SELECT token_id FROM log_sources WHERE kind = 'http' AND token_id <> 0);
