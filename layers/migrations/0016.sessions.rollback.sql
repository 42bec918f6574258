DROP TABLE IF EXISTS signin_failures;
DROP TABLE IF EXISTS sessions;
