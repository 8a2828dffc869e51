-- Expired sessions are dropped a day after they expire. A logout writes a revoked version that
-- expires no earlier than the session it revokes, so the revocation always outlives the session.
ALTER TABLE sessions MODIFY TTL toDateTime(expires_at) + toIntervalDay(1);
