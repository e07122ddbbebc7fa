/* likeset--1.1--1.2.sql: living with likes for years (issue 7) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION likeset UPDATE TO '1.2'" to load this file. \quit

-- == section: GIN index, casts, digest (keep edits inside this section) ==

-- == end of section: GIN index, casts, digest ==

-- == section: tombstone horizon, compaction, statistics (keep edits inside this section) ==

-- == end of section: tombstone horizon, compaction, statistics ==
