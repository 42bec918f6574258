-- depends: 0010.alerts
-- "All stations at one time" needs a real time index: BRIN only helps when rows arrive in
-- time order, and histories are often loaded station by station (measured: 1.6 s -> ms).
DROP INDEX IF EXISTS measurements_time_brin;
CREATE INDEX measurements_time ON measurements (observed_at);
