-- drop the findings status index, which no query uses and every rewrite of a status paid for
DROP INDEX findings_status;
