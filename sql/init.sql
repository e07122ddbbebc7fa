-- The extension installs into a fresh database; the empty set
SELECT '{}'::likeset AS empty, likeset_count('{}') AS n;
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
