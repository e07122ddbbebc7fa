# Hostile input: thousands of mutated text literals and binary COPY
# payloads, fed to likeset's input functions on one node, in a UTF8 and in
# a SQL_ASCII database (where any byte but NUL reaches the parser).  Every
# input must either be accepted as a well-formed value (round trips through
# text and binary, stable text, counts that agree, entries in byte order
# that rebuild the value; a binary payload must come back from
# likeset_send byte for byte) or be rejected with a data exception (class
# 22, a text error naming a position inside the input) or a limit (54000),
# never an internal error (XX000) or a crash.  Timestamps likeset accepts
# must mean what timestamptz makes of the same fields.  Then the limits:
# 20 MB elements, an aggregate of 2,000,000 elements (timed, with the
# backend's peak memory), infinite timestamps.  A session held open from
# start to end and the server log show that no backend crashed.
#
# The mutations are random but repeatable: the seed is printed and can be
# set with LIKESET_FUZZ_SEED; LIKESET_FUZZ_TEXT, LIKESET_FUZZ_BINARY and
# LIKESET_FUZZ_TIMESTAMPS set how many inputs of each kind are tried.  A
# failure prints the offending inputs in hex.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use Digest::MD5 qw(md5_hex);

my $seed = $ENV{LIKESET_FUZZ_SEED} // 20261128;
my $n_text = $ENV{LIKESET_FUZZ_TEXT} // 6000;
my $n_binary = $ENV{LIKESET_FUZZ_BINARY} // 2500;
my $n_ts = $ENV{LIKESET_FUZZ_TIMESTAMPS} // 3000;
diag("random seed $seed (set LIKESET_FUZZ_SEED to change it), "
	  . "$n_text text and $n_binary binary inputs per database, $n_ts timestamps");
srand($seed);

my $node = PostgreSQL::Test::Cluster->new('hostile');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
# the SQLSTATE of every logged error, so that the log shows any XX000
$node->append_conf('postgresql.conf', "log_line_prefix = '%m [%p] %e '");
# after a crash, come back, so that the rest of the test still runs
$node->append_conf('postgresql.conf', 'restart_after_crash = on');
$node->start;
$node->safe_psql('postgres',
	"CREATE DATABASE fuzz_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
);
my @dbs = ('postgres', 'fuzz_ascii');

# A session open from start to end: a crash of any backend (and the
# restart of all of them that follows) would end it
my $watch = $node->background_psql('postgres');
$watch->set_query_timer_restart;
my $watch_pid = $watch->query_safe('SELECT pg_backend_pid()');

# Helpers in each database.  likeset_wellformed returns NULL for a sound
# value, else what is wrong with it.  fuzz_text and fuzz_binary try every
# input of a kind, each in its own subtransaction, and record the outcome
# (accepted or the SQLSTATE), a problem if any, and the message.
my $helpers = <<'EOSQL';
CREATE EXTENSION likeset;
CREATE TABLE fuzz_input (kind text, id int, hex text, PRIMARY KEY (kind, id));
CREATE TABLE fuzz_result (kind text, id int, outcome text, problem text, msg text, detail text);
CREATE TABLE one (v likeset);

CREATE FUNCTION likeset_wellformed(s likeset) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	enc name := getdatabaseencoding();
	t text := s::text;
	s2 likeset;
	n bigint := likeset_count(s);
	nelem bigint;
	nent bigint;
	npresent bigint;
	bad bigint;
	rebuilt likeset;
BEGIN
	s2 := t::likeset;
	IF s2 IS DISTINCT FROM s THEN
		RETURN 's::text::likeset <> s for ' || left(t, 300);
	END IF;
	IF s2::text IS DISTINCT FROM t THEN
		RETURN 'text form not stable: ' || left(t, 300) || ' then ' || left(s2::text, 300);
	END IF;
	IF likeset_send(s2) <> likeset_send(s) OR likeset_cmp(s, s2) <> 0
	   OR likeset_hash(s) <> likeset_hash(s2)
	   OR likeset_hash_extended(s, 42) <> likeset_hash_extended(s2, 42) THEN
		RETURN 'send, cmp or hash differ after a text round trip';
	END IF;
	SELECT count(*) INTO nelem FROM likeset_elements(s);
	IF n <> nelem THEN
		RETURN format('likeset_count %s but %s elements', n, nelem);
	END IF;
	SELECT count(*), count(*) FILTER (WHERE NOT removed)
	  INTO nent, npresent FROM likeset_entries(s);
	IF nent < n OR npresent <> n THEN
		RETURN format('likeset_count %s, %s entries of which %s present', n, nent, npresent);
	END IF;
	IF ARRAY(SELECT likeset_elements(s)) IS DISTINCT FROM
	   ARRAY(SELECT element FROM likeset_entries(s) WHERE NOT removed) THEN
		RETURN 'likeset_elements differs from the present entries';
	END IF;
	-- entries strictly ascending by bytes, at most 4096 bytes, each found by @>
	SELECT count(*) INTO bad FROM (
		SELECT e.element, e.removed,
		       lag(convert_to(e.element, enc)) OVER (ORDER BY o) AS prev
		FROM likeset_entries(s) WITH ORDINALITY AS e(element, ts, removed, o)) x
	WHERE (prev IS NOT NULL AND NOT prev < convert_to(element, enc))
	   OR likeset_contains(s, element) = removed
	   OR octet_length(element) > 4096;
	IF bad > 0 THEN
		RETURN bad || ' entries out of order, too long or not found by @>';
	END IF;
	-- the entries rebuild the value (and its horizon, when it records one)
	SELECT coalesce(likeset_merge_agg(CASE WHEN removed
	                                       THEN likeset_remove('{}', element, ts)
	                                       ELSE likeset_add('{}', element, ts) END), '{}')
	  INTO rebuilt FROM likeset_entries(s);
	IF likeset_horizon(s) IS NOT NULL THEN
		rebuilt := ('@' || to_char(likeset_horizon(s) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
					|| rebuilt::text)::likeset;
	END IF;
	IF rebuilt <> s THEN
		RETURN 'entries do not rebuild the value: ' || left(rebuilt::text, 300);
	END IF;
	IF likeset_merge(s, s) <> s OR likeset_merge(s, '{}') <> s
	   OR likeset_merge('{}', s) <> s THEN
		RETURN 'merge with itself or with {} changes the value';
	END IF;
	-- compacting at infinity keeps exactly the present entries (and the
	-- tombstones of the last valid microsecond, which no horizon can cover)
	IF (SELECT array_agg(row(e.element, e.ts, e.removed)::text ORDER BY e.o)
		FROM likeset_entries(likeset_compact(s, 'infinity')) WITH ORDINALITY AS e(element, ts, removed, o))
	   IS DISTINCT FROM
	   (SELECT array_agg(row(e.element, e.ts, e.removed)::text ORDER BY e.o)
		FROM likeset_entries(s) WITH ORDINALITY AS e(element, ts, removed, o)
		WHERE NOT e.removed OR e.ts = '294276-12-31 23:59:59.999999+00')
	   OR likeset_compact(s, '-infinity') <> s THEN
		RETURN 'likeset_compact misbehaves';
	END IF;
	RETURN NULL;
END $$;

-- the problem with a rejection, NULL if it is an acceptable one
CREATE FUNCTION rejection_problem(st text, det text, inlen int, is_text bool)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN st IS NULL OR st !~ '^(22|54)' OR st = '22P04' THEN 'bad SQLSTATE ' || coalesce(st, 'null')
		WHEN is_text AND st IN ('22P02', '54000') AND
		     (det IS NULL OR det !~ '^At position [0-9]+: '
		      OR substring(det from '^At position ([0-9]+)')::bigint NOT BETWEEN 1 AND inlen + 1)
			THEN 'no position or a position outside the input: ' || coalesce(det, 'no detail')
	END
$$;

CREATE FUNCTION fuzz_text(k text) RETURNS void LANGUAGE plpgsql
-- one short log line per input
SET log_error_verbosity = terse SET log_min_error_statement = panic AS $$
DECLARE
	r record;
	t text;
	s likeset;
	st text;
	msg text;
	det text;
	prob text;
BEGIN
	FOR r IN SELECT id, hex FROM fuzz_input WHERE kind = k ORDER BY id LOOP
		-- the last of these in the log names the input that crashed a backend
		RAISE LOG 'likeset fuzz: % % %', current_database(), k, r.id;
		BEGIN
			t := convert_from(decode(r.hex, 'hex'), getdatabaseencoding());
		EXCEPTION WHEN OTHERS THEN
			-- not a string of the database encoding: never reaches likeset
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
			INSERT INTO fuzz_result VALUES (k, r.id, 'encoding ' || st, NULL, NULL);
			CONTINUE;
		END;
		BEGIN
			s := likeset_in(t::cstring);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
				det = PG_EXCEPTION_DETAIL;
			INSERT INTO fuzz_result VALUES (k, r.id, st,
				rejection_problem(st, det, octet_length(t), true), left(msg, 200), det);
			CONTINUE;
		END;
		BEGIN
			prob := likeset_wellformed(s);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			prob := 'checking it raised ' || st || ': ' || msg;
		END;
		INSERT INTO fuzz_result VALUES (k, r.id, 'accepted', prob, NULL);
	END LOOP;
END $$;

-- A timestamp that likeset accepts must be one that timestamptz accepts,
-- with the same value: each input is the likeset form and the same fields
-- in timestamptz's form, in hex, separated by ':'.  The time zone is an odd
-- one, so that a timestamp read without its zone shows.
CREATE FUNCTION fuzz_ts(k text) RETURNS void LANGUAGE plpgsql
SET timezone = 'Asia/Kathmandu'
-- one short log line per input
SET log_error_verbosity = terse SET log_min_error_statement = panic AS $$
DECLARE
	r record;
	lx text;
	px text;
	s likeset;
	lts timestamptz;
	pts timestamptz;
	rts timestamptz;
	st text;
	det text;
	prob text;
BEGIN
	FOR r IN SELECT id, hex FROM fuzz_input WHERE kind = k ORDER BY id LOOP
		-- the last of these in the log names the input that crashed a backend
		RAISE LOG 'likeset fuzz: % % %', current_database(), k, r.id;
		lx := convert_from(decode(split_part(r.hex, ':', 1), 'hex'), 'UTF8');
		px := convert_from(decode(split_part(r.hex, ':', 2), 'hex'), 'UTF8');
		st := NULL;
		det := NULL;
		pts := NULL;
		rts := NULL;
		prob := NULL;
		BEGIN
			s := likeset_in(('{a@' || lx || '}')::cstring);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, det = PG_EXCEPTION_DETAIL;
		END;
		BEGIN
			pts := px::timestamptz;
		EXCEPTION WHEN OTHERS THEN
			NULL;
		END;
		BEGIN
			rts := lx::timestamptz;
		EXCEPTION WHEN OTHERS THEN
			NULL;
		END;
		IF st IS NULL THEN
			BEGIN
				SELECT ts INTO STRICT lts FROM likeset_entries(s);
				IF pts IS NULL THEN
					prob := 'likeset accepts it, timestamptz rejects ' || px;
				ELSIF lts <> pts THEN
					prob := format('likeset reads %s, timestamptz reads %s as %s', lts, px, pts);
				ELSIF rts IS NOT NULL AND rts <> lts THEN
					prob := format('likeset reads %s, timestamptz reads the same text as %s', lts, rts);
				ELSE
					prob := likeset_wellformed(s);
				END IF;
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, det = MESSAGE_TEXT;
				prob := 'checking it raised ' || st || ': ' || det;
			END;
			INSERT INTO fuzz_result VALUES (k, r.id, 'accepted', prob, lx, px);
		ELSE
			INSERT INTO fuzz_result VALUES (k, r.id, st,
				rejection_problem(st, det, octet_length(lx) + 4, true), lx,
				CASE WHEN pts IS NOT NULL THEN 'timestamptz accepts ' || px END);
		END IF;
	END LOOP;
END $$;

CREATE FUNCTION fuzz_binary(k text, dir text) RETURNS void LANGUAGE plpgsql
-- one short log line per input
SET log_error_verbosity = terse SET log_min_error_statement = panic AS $$
DECLARE
	r record;
	s likeset;
	st text;
	msg text;
	det text;
	prob text;
BEGIN
	FOR r IN SELECT id, hex FROM fuzz_input WHERE kind = k ORDER BY id LOOP
		-- the last of these in the log names the input that crashed a backend
		RAISE LOG 'likeset fuzz: % % %', current_database(), k, r.id;
		DELETE FROM one;
		BEGIN
			EXECUTE format('COPY one FROM %L (FORMAT binary)', dir || '/' || r.id || '.copy');
			SELECT v INTO STRICT s FROM one;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
				det = PG_EXCEPTION_DETAIL;
			INSERT INTO fuzz_result VALUES (k, r.id, st,
				rejection_problem(st, det, NULL, false), left(msg, 200), det);
			CONTINUE;
		END;
		BEGIN
			-- recv accepts only the canonical form, which send gives back
			IF likeset_send(s) <> decode(r.hex, 'hex') THEN
				prob := 'likeset_send gives ' || left(encode(likeset_send(s), 'hex'), 300);
			ELSE
				prob := likeset_wellformed(s);
			END IF;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			prob := 'checking it raised ' || st || ': ' || msg;
		END;
		INSERT INTO fuzz_result VALUES (k, r.id, 'accepted', prob, NULL);
	END LOOP;
END $$;
EOSQL
$node->safe_psql($_, $helpers) for @dbs;

my $tmp = PostgreSQL::Test::Utils::tempdir;

# Run a fuzz function over the inputs of a kind.  If the session dies (a
# crash), fail with the input the log says was being tried, wait for the
# server to come back and return false.
sub run_fuzz
{
	my ($db, $sql, $kind, $inputs) = @_;
	my ($ret, $out, $err) = $node->psql($db, $sql);
	return 1 if $ret == 0;
	my @started = slurp_file($node->logfile) =~ /likeset fuzz: \Q$db $kind\E (\d+)/g;
	my $id = $started[-1];
	my $hex = defined $id ? unpack('H*', $inputs->[$id]) : 'unknown';
	fail("$db, $kind: the session ended while trying input "
		  . ($id // 'unknown') . " (hex $hex): $err");
	$node->poll_query_until('postgres', 'SELECT 1', '1');
	return 0;
}

# ----------------------------------------------------------------------
# Text literals
# ----------------------------------------------------------------------

sub pick { return $_[ int(rand(@_)) ]; }

# A random timestamp in the text form, with a random zone notation
sub rand_ts
{
	my $ts = sprintf('%04d-%02d-%02d%s%02d:%02d:%02d',
		pick(1999, 2000, 2024, 2026, 2038, 1, 9999),
		1 + int(rand(12)), 1 + int(rand(28)), pick('T', ' '),
		int(rand(24)), int(rand(60)), int(rand(60)));
	$ts .= '.' . substr(int(rand(1_000_000)), 0, 1 + int(rand(6)))
	  if rand() < 0.5;
	return $ts . pick('Z', 'Z', '+02', '+02:00', '-0530', '+14', '-12:00', '+00');
}

# A random element, quoted when it has to be (or just because)
sub rand_elem
{
	my $e = pick('u' . int(rand(1000)), 'tahir', 'tara', 'a', 'B', "\xc3\xa9",
		"\xe6\x97\xa5\xe6\x9c\xac", 'a,b', '"', '\\', '', '-x', 'with space',
		'@', '{}', "tab\tin", "ctl\x01", 'x' x (1 + int(rand(40))));
	return $e if $e =~ /^[A-Za-z0-9_]+$/ && rand() < 0.8;
	$e =~ s/(["\\])/\\$1/g;
	return qq("$e");
}

sub rand_set
{
	my $n = int(rand(12));
	my @items = map {
		(rand() < 0.3 ? '-' : '')
		  . rand_elem()
		  . (rand() < 0.7 ? '@' . rand_ts() : '')
	} 1 .. $n;
	return '{' . join(pick(',', ', ', ' ,'), @items) . '}';
}

my @text_seeds = (
	'{}', '{ }', '{a,b,c}',
	'{legacy_user,-tahir@2026-11-28T10:05:00Z,tara@2026-11-28T10:00:00.5Z}',
	'{x@2026-11-28 10:00:00+02, y@2026-11-28T10:00:00.123456-0530 , z@2026-01-01T00:00:00+02:00}',
	'{-gone,-"-dash"@2020-02-29T23:59:59.999999Z,here@1999-12-31T23:59:59+14}',
	qq({"a,b","\\"","\\\\","","-dash","with space","tab\tin","\@at","{brace}","}",)
	  . qq("\xc3\xa9","\xe6\x97\xa5\xe6\x9c\xac"\@2026-11-28T10:00:00Z}),
	'{a@-4713-11-24T00:00:00Z,b@+294276-12-31T23:59:59.999999Z,c@0000-01-01T00:00:00Z,d@-4713-11-24T00:00:00.000001Z}',
	'{a,a@2026-01-01T00:00:00Z,-a@2026-01-01T00:00:00Z}',
	'{lo@-4713-11-24T00:00:00-01,hi@+294276-12-31T23:59:59+01:00,x@2024-02-29T23:59:59.000001+15:59}',
	'{-"\\\\"@1999-12-31 23:59:59 Z , "\\"" ,"a\\b"}',
	'{' . join(',', map { "u$_\@2026-11-28T10:00:" . sprintf('%02d', $_) . 'Z' } 1 .. 40) . '}',
	'{"' . ('y' x 4096) . '"}');
push @text_seeds, rand_set() for 1 .. 20;

my @specials = (
	',', '{', '}', '"', '\\', '@', '-', ' ', "\t", "\n", "\r", 'T', 'Z', '+', ':', '.', '0', '9',
	"\xc3", "\xa9", "\xe6\x97\xa5", "\xff", "\xc0\xaf", "\xed\xa0\x80", "\x01", "\x7f",
	'""', '\\"', '@2026-11-28T10:00:00Z', '@2026-11-28', '-0530', '+99:99', '.1234567', ',-',
	'@@', '{}', "\xc3\xa9");

# One random change of a byte string
sub mutate_text
{
	my ($s) = @_;
	my $len = length $s;
	my $pos = int(rand($len + 1));
	my $op = int(rand(13));
	if ($op == 0 && $len)    # flip a bit
	{
		$pos = int(rand($len));
		substr($s, $pos, 1) = chr(ord(substr($s, $pos, 1)) ^ (1 << int(rand(8))));
	}
	elsif ($op == 1 && $len)    # any byte
	{
		substr($s, int(rand($len)), 1) = chr(1 + int(rand(255)));
	}
	elsif ($op <= 3)    # a special character or string
	{
		substr($s, $pos, 0) = pick(@specials);
	}
	elsif ($op == 4)    # delete a few bytes
	{
		substr($s, $pos, 1 + int(rand(8))) = '';
	}
	elsif ($op == 5 && $len)    # duplicate a slice
	{
		my $from = int(rand($len));
		my $slice = substr($s, $from, 1 + int(rand(30)));
		substr($s, int(rand($len + 1)), 0) = $slice;
	}
	elsif ($op == 6)    # truncate
	{
		$s = substr($s, 0, $pos);
	}
	elsif ($op == 7)    # a huge repeat of a slice or a byte
	{
		my $slice =
		  rand() < 0.5 && $len
		  ? substr($s, int(rand($len)), 1 + int(rand(12)))
		  : pick('x', ',', ' ', '\\', '"', '0', '{', "\xc3\xa9", 'a,');
		my $times = pick(4095, 4096, 4097, 5000, 100 + int(rand(20000)));
		substr($s, $pos, 0) = substr($slice x $times, 0, 200_000);
	}
	elsif ($op == 8)    # change a digit: months, days, hours, offsets out of range
	{
		my @digits;
		push @digits, $-[0] while $s =~ /[0-9]/g;
		if (@digits)
		{
			my $d = pick(@digits);
			substr($s, $d, 1) = pick(0 .. 9, '99', '00', '9999999999999999999', '');
		}
	}
	elsif ($op == 9 && $len > 1)    # swap two slices
	{
		my ($a, $b) = sort { $a <=> $b } (int(rand($len)), int(rand($len)));
		my $l = 1 + int(rand(10));
		$l = $b - $a if $a + $l > $b;
		my $sa = substr($s, $a, $l);
		my $sb = substr($s, $b, $l);
		substr($s, $b, length $sb) = $sa;
		substr($s, $a, length $sa) = $sb;
	}
	elsif ($op == 10)    # a slice of another seed
	{
		my $other = pick(@text_seeds);
		my $from = int(rand(length($other) + 1));
		substr($s, $pos, 0) = substr($other, $from, 1 + int(rand(40)));
	}
	elsif ($op == 11 && $s =~ /^\{(.*)\}$/s)    # many copies of the items
	{
		my $inner = $1;
		$s = '{' . join(',', ($inner) x (2 + int(rand(300)))) . '}';
		$s = substr($s, 0, 200_000);
	}
	else    # whitespace around something
	{
		substr($s, $pos, 0) = pick(' ', "\t", "\n", '  ', "\f", "\x0b");
	}
	# NUL cannot be part of a text value: make it another control byte
	$s =~ tr/\0/\x02/;
	return $s;
}

my @text_inputs = @text_seeds;
while (@text_inputs < $n_text + @text_seeds)
{
	my $s = pick(@text_seeds);
	$s = mutate_text($s) for 1 .. 1 + int(rand(rand() < 0.8 ? 2 : 6));
	push @text_inputs, $s;
}
diag('text inputs: md5 ' . md5_hex(join("\n", @text_inputs)));

# Load inputs of a kind into fuzz_input of every database
sub load_inputs
{
	my ($kind, $inputs) = @_;
	my $file = "$tmp/$kind.tsv";
	open(my $fh, '>', $file) or die "cannot write $file: $!";
	binmode $fh;
	print $fh "$kind\t$_\t" . unpack('H*', $inputs->[$_]) . "\n"
	  for 0 .. $#$inputs;
	close $fh;
	$node->safe_psql($_, "COPY fuzz_input FROM '$file'") for @dbs;
}

# What happened to the inputs of a kind in a database: counts per outcome,
# the number of problems, and the first problems in detail
sub report
{
	my ($db, $kind, $inputs, $nseeds) = @_;
	my %count = map { split /\|/ } split /\n/,
	  $node->safe_psql($db,
		"SELECT outcome, count(*) FROM fuzz_result WHERE kind = '$kind' GROUP BY 1");
	my $total = 0;
	$total += $_ for values %count;
	diag(sprintf("%s, %s: %d inputs: %s", $db, $kind, $total,
		join(', ', map { "$_ $count{$_}" } sort keys %count)));
	is($total, scalar(@$inputs), "$db, $kind: every input has an outcome");
	cmp_ok($count{accepted} // 0, '>=', 0.05 * $total,
		"$db, $kind: some inputs are accepted");
	cmp_ok($total - ($count{accepted} // 0), '>=', 0.05 * $total,
		"$db, $kind: some inputs are rejected");
	is( $node->safe_psql($db,
			"SELECT count(*) FROM fuzz_result WHERE kind = '$kind' AND id < $nseeds AND outcome <> 'accepted'"),
		'0',
		"$db, $kind: the unmutated seeds are accepted");

	# the reasons for rejections, numbers and positions left out
	note("$db, $kind: rejections by reason:\n"
		  . $node->safe_psql($db, qq{
		SELECT outcome, count(*), reason FROM (
			SELECT outcome, regexp_replace(CASE WHEN msg LIKE 'invalid input syntax%'
			                                    THEN coalesce(detail, '') ELSE msg || ' / ' || coalesce(detail, '') END,
			                               '[0-9]+', 'N', 'g') AS reason
			FROM fuzz_result WHERE kind = '$kind' AND outcome <> 'accepted') x
		GROUP BY outcome, reason ORDER BY outcome, count(*) DESC}));

	is( $node->safe_psql($db,
			"SELECT count(*) FROM fuzz_result WHERE kind = '$kind' AND problem IS NOT NULL"),
		'0',
		"$db, $kind: accepted inputs are well formed, rejections are data exceptions or limits"
	);
	my @problems = split /\n/,
	  $node->safe_psql($db,
		"SELECT regexp_replace(concat_ws('|', id, outcome, problem, msg, detail), '[\\r\\n]', ' ', 'g')
		 FROM fuzz_result WHERE kind = '$kind' AND problem IS NOT NULL ORDER BY id LIMIT 10");
	for my $p (@problems)
	{
		my ($id) = split /\|/, $p;
		my $hex = unpack('H*', $inputs->[$id]);
		$hex = substr($hex, 0, 2000) . '...' if length $hex > 2000;
		diag("problem: $p\n  input (hex): $hex");
	}
	return %count;
}

my (%timing, %totals);
for my $db (@dbs)
{
	load_inputs('text', \@text_inputs) if $db eq $dbs[0];
	my $t0 = time;
	next unless run_fuzz($db, "SELECT fuzz_text('text')", 'text', \@text_inputs);
	$timing{"$db text"} = time - $t0;
	my %c = report($db, 'text', \@text_inputs, scalar(@text_seeds));
	$totals{"text $_"} += $c{$_} for keys %c;
}

# ----------------------------------------------------------------------
# Timestamps against timestamptz
# ----------------------------------------------------------------------

# The fields of a timestamp, some out of range, written in likeset's form
# (with some odd syntax) and in timestamptz's
my @ts_inputs;
for (1 .. $n_ts)
{
	my $y = pick(1999, 2000, 2024, 2026, 1900, 2100, 1, 9999, 1970, 0, -1, -4713, -4714,
		294276, 294277, 10000, 123456, 2023);
	# each field mostly valid, sometimes not
	my $odd = sub { my ($good, $bad) = @_; return rand() < 0.85 ? pick(@$good) : pick(@$bad); };
	my ($mo, $d, $h, $mi, $sec) = (
		$odd->([ 1 .. 12, 2, 2 ], [ 0, 13, 99 ]),
		$odd->([ 1, 15, 28, 28, 29, 30, 31 ], [ 0, 32, 99 ]),
		$odd->([ 0, 12, 23 ], [ 24, 25 ]),
		$odd->([ 0, 30, 59 ], [60]),
		$odd->([ 0, 7, 59 ], [ 60, 61 ]));
	my $frac = $odd->([ '', '', '.5', '.000001', '.999999', '.123456', '.05' ],
		[ '.1234567', '.', '.0000000' ]);
	my $zone = $odd->(
		[ 'Z', 'Z', '+00', '+02', '+02:00', '+0200', '-0530', '-05:30', '+14', '+15:59',
		  '-00', ' Z', ' +02', '-12', '-01', '+01', '-15:59' ],
		[ '+16', '+14:60', '+1', '+123', 'z', '', '+02:00:00', 'UTC', '+2:00', '--01' ]);
	my $ly = $y < 0 ? sprintf('-%04d', -$y) : $y > 9999 ? "+$y" : sprintf('%04d', $y);
	$ly =~ s/^\+// if $y > 9999 && rand() < 0.3;
	$ly = "+$ly" if $y >= 0 && $y <= 9999 && rand() < 0.05;
	my $fmt2 = rand() < 0.05 ? '%d' : '%02d';
	my $lx = "$ly-" . sprintf("$fmt2-%02d", $mo, $d)
	  . pick('T', 'T', ' ', 't', '  ')
	  . sprintf('%02d:%02d:%02d', $h, $mi, $sec) . $frac . $zone;
	my $pzone = $zone =~ /^ ?[Zz]$/ ? '+00' : $zone =~ s/^ //r;
	my $px = sprintf('%04d-%02d-%02d %02d:%02d:%02d', $y <= 0 ? 1 - $y : $y, $mo, $d, $h, $mi, $sec)
	  . $frac . $pzone . ($y <= 0 ? ' BC' : '');
	push @ts_inputs, [ $lx, $px ];
}
# the edges of the range, with offsets that cross them, and leap days
push @ts_inputs,
  [ '-4713-11-24T00:00:00Z', '4714-11-24 00:00:00+00 BC' ],
  [ '-4713-11-24T00:00:00+00:01', '4714-11-24 00:00:00+00:01 BC' ],
  [ '-4713-11-23T23:59:59.999999Z', '4714-11-23 23:59:59.999999+00 BC' ],
  [ '-4713-11-23T23:00:00-01', '4714-11-23 23:00:00-01 BC' ],
  [ '-4714-12-31T23:59:59-15:59', '4715-12-31 23:59:59-15:59 BC' ],
  [ '+294276-12-31T23:59:59.999999Z', '294276-12-31 23:59:59.999999+00' ],
  [ '+294276-12-31T23:59:59.999999-00:01', '294276-12-31 23:59:59.999999-00:01' ],
  [ '+294277-01-01T00:00:00Z', '294277-01-01 00:00:00+00' ],
  [ '+294277-01-01T00:59:59+01', '294277-01-01 00:59:59+01' ],
  [ '+294276-12-31T23:00:00-01', '294276-12-31 23:00:00-01' ],
  [ '2000-02-29T12:00:00Z', '2000-02-29 12:00:00+00' ],
  [ '1900-02-29T12:00:00Z', '1900-02-29 12:00:00+00' ],
  [ '2100-02-29T12:00:00Z', '2100-02-29 12:00:00+00' ],
  [ '2400-02-29T12:00:00Z', '2400-02-29 12:00:00+00' ],
  [ '2023-02-29T12:00:00Z', '2023-02-29 12:00:00+00' ],
  [ '-0004-02-29T12:00:00Z', '0005-02-29 12:00:00+00 BC' ],
  [ '-0001-02-29T12:00:00Z', '0002-02-29 12:00:00+00 BC' ],
  [ '0000-02-29T12:00:00Z', '0001-02-29 12:00:00+00 BC' ],
  [ '0001-01-01T00:00:00+01', '0001-01-01 00:00:00+01' ],
  [ '1999-12-31T23:59:59.999999-15:59', '1999-12-31 23:59:59.999999-15:59' ];
{
	my $file = "$tmp/ts.tsv";
	open(my $fh, '>', $file) or die "cannot write $file: $!";
	print $fh "ts\t$_\t" . unpack('H*', $ts_inputs[$_][0]) . ':' . unpack('H*', $ts_inputs[$_][1]) . "\n"
	  for 0 .. $#ts_inputs;
	close $fh;
	$node->safe_psql('postgres', "COPY fuzz_input FROM '$file'");
	my $t0 = time;
	run_fuzz('postgres', "SELECT fuzz_ts('ts')", 'ts', [ map { "$_->[0] / $_->[1]" } @ts_inputs ]);
	$timing{'postgres timestamps'} = time - $t0;
	my %count = map { split /\|/ } split /\n/,
	  $node->safe_psql('postgres',
		"SELECT outcome, count(*) FROM fuzz_result WHERE kind = 'ts' GROUP BY 1");
	my $stricter = $node->safe_psql('postgres',
		"SELECT count(*) FROM fuzz_result WHERE kind = 'ts' AND outcome <> 'accepted' AND detail IS NOT NULL");
	diag(sprintf('timestamps: %d: %s; %d rejected ones timestamptz accepts in its own form',
		scalar(@ts_inputs), join(', ', map { "$_ $count{$_}" } sort keys %count), $stricter));
	$totals{"timestamp $_"} += $count{$_} for keys %count;
	cmp_ok($count{accepted} // 0, '>=', 0.05 * @ts_inputs, 'timestamps: some are accepted');
	is( $node->safe_psql('postgres',
			"SELECT count(*) FROM fuzz_result WHERE kind = 'ts' AND problem IS NOT NULL"),
		'0',
		'timestamps likeset accepts mean what timestamptz makes of them; rejections are 22P02');
	diag("problem: $_") for split /\n/,
	  $node->safe_psql('postgres',
		"SELECT concat_ws('|', id, outcome, problem, msg) FROM fuzz_result
		 WHERE kind = 'ts' AND problem IS NOT NULL ORDER BY id LIMIT 10");
}

# ----------------------------------------------------------------------
# Binary COPY payloads
# ----------------------------------------------------------------------

# Valid payloads from likeset_send
my @bin_seed_sql = (
	q{'{}'::likeset},
	q{'{a,b,c}'::likeset},
	q{'{legacy_user,-tahir@2026-11-28T10:05:00Z,tara@2026-11-28T10:00:00.5Z}'::likeset},
	q{'{"a,b","\"","\\\\","","-dash",é,"日本"@2026-11-28T10:00:00Z,-"x y"@2020-01-01T00:00:00+02}'::likeset},
	q{'{a@-4713-11-24T00:00:00Z,b@+294276-12-31T23:59:59.999999Z,-c@-4713-11-24T00:00:00.000001Z}'::likeset},
	q{likeset_add('{}', repeat('z', 4096), '2026-11-28 10:00:00+00')},
	q{(SELECT likeset_agg('u' || g, '2026-11-28 10:00:00+00'::timestamptz + g * interval '1 ms') FROM generate_series(1, 300) g)},
	q{(SELECT likeset_merge_agg(likeset_remove('{}', 'r' || g, '2026-11-28 10:00:00+00')) FROM generate_series(1, 20) g)},
);
my @bin_seeds = map {
	pack('H*', $node->safe_psql('postgres', "SELECT encode(likeset_send($_), 'hex')"))
} @bin_seed_sql;

# The binary form, as a structure: (version, count, [ts, removed, len, bytes]...)
sub parse_payload
{
	my ($p) = @_;
	my ($version, $n) = unpack('C l>', $p);
	my $off = 5;
	my @entries;
	for (1 .. $n)
	{
		my ($ts, $removed, $len) = unpack('q> C l>', substr($p, $off, 13));
		push @entries, [ $ts, $removed, $len, substr($p, $off + 13, $len) ];
		$off += 13 + $len;
	}
	return { version => $version, n => $n, entries => \@entries };
}

sub serialize_payload
{
	my ($s) = @_;
	return pack('C l>', $s->{version}, $s->{n})
	  . join('', map { pack('q> C l>', @$_[ 0 .. 2 ]) . $_->[3] } @{ $s->{entries} });
}

my $TS_MIN = -211813488000000000;
my $TS_END = 9223371331200000000;
my @bad_elems = ("a\0b", "\0", "\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xe6\x97",
	"\xc3\xa9", '', 'y' x 4096, 'y' x 4097, "\x01\x7f", 'a', 'zz');

# One change of the structure; the count and lengths stay consistent unless
# the change is about them
sub mutate_struct
{
	my ($s) = @_;
	my $e = $s->{entries};
	my $op = int(rand(14));
	my $i = @$e ? int(rand(@$e)) : undef;
	if ($op == 0)
	{
		$s->{version} = pick(0, 2, 255, 0x81);
	}
	elsif ($op == 1)
	{
		$s->{n} = pick($s->{n} + 1, $s->{n} - 1, -1, 0, 0x7fffffff, -0x80000000,
			16777216, 16777217, 2 * $s->{n} + 1, int(rand(1000)));
	}
	elsif ($op == 2 && defined $i)
	{
		my $l = $e->[$i][2];
		$e->[$i][2] = pick($l + 1, $l - 1, -1, 4097, 4096, 0x7fffffff, -0x80000000, 0, 65536);
	}
	elsif ($op == 3 && defined $i)
	{
		$e->[$i][1] = pick(2, 255, 0x80, 3);
	}
	elsif ($op == 4 && defined $i)
	{
		$e->[$i][0] = pick(-9223372036854775807 - 1, 9223372036854775807, $TS_END,
			$TS_END - 1, $TS_MIN, $TS_MIN - 1, 0, -1, $TS_END + 1,
			int(rand(2**52)) - 2**51);
	}
	elsif ($op == 5 && @$e > 1)    # out of order
	{
		my $j = ($i + 1) % @$e;
		@$e[ $i, $j ] = @$e[ $j, $i ];
	}
	elsif ($op == 6 && defined $i)    # the same element twice
	{
		my @copy = @{ $e->[$i] };
		$copy[0] += pick(0, 1, -1);
		$copy[1] = pick(0, 1);
		splice(@$e, $i + pick(0, 1), 0, \@copy);
		$s->{n}++;
	}
	elsif ($op == 7 && defined $i)    # drop an entry
	{
		splice(@$e, $i, 1);
		$s->{n}--;
	}
	elsif ($op == 8 && defined $i)    # other element bytes
	{
		my $b = pick(@bad_elems);
		$b = substr($e->[$i][3], 0, 1) . $b if rand() < 0.5;
		$e->[$i][3] = $b;
		$e->[$i][2] = length $b;
	}
	elsif ($op == 9)    # a new entry anywhere
	{
		my $b = pick(@bad_elems, 'new', 'u150', 'tara');
		splice(@$e, int(rand(@$e + 1)), 0,
			[ pick(0, $TS_MIN, 851774400000000), pick(0, 1), length $b, $b ]);
		$s->{n}++;
	}
	elsif ($op == 10 && @$e > 1)    # all in reverse
	{
		@$e = reverse @$e;
	}
	elsif ($op == 11 && defined $i)    # an element equal to its neighbour
	{
		my $j = $i > 0 ? $i - 1 : $i + 1;
		if ($j < @$e)
		{
			$e->[$i][3] = $e->[$j][3];
			$e->[$i][2] = length $e->[$j][3];
		}
	}
	elsif ($op == 12 && defined $i)    # a length that lies
	{
		$e->[$i][2] += pick(1, -1, 13, -13, 1000);
	}
	else    # every timestamp at a boundary
	{
		my $ts = pick($TS_MIN, $TS_END - 1, $TS_END, $TS_MIN - 1);
		$_->[0] = $ts for @$e;
	}
}

sub mutate_bytes
{
	my ($p) = @_;
	my $len = length $p;
	my $op = int(rand(7));
	my $pos = int(rand($len + 1));
	if ($op == 0 && $len)
	{
		$pos = int(rand($len));
		substr($p, $pos, 1) = chr(ord(substr($p, $pos, 1)) ^ (1 << int(rand(8))));
	}
	elsif ($op == 1 && $len)
	{
		substr($p, int(rand($len)), 1) = chr(int(rand(256)));
	}
	elsif ($op == 2)
	{
		substr($p, $pos, 0) = pick("\0", "\xff", "\x01", "\x00\x00\x00\x00", "\x7f\xff\xff\xff",
			"\x80", 'junk', "\0" x 13);
	}
	elsif ($op == 3)
	{
		substr($p, $pos, 1 + int(rand(8))) = '';
	}
	elsif ($op == 4 && $len)
	{
		substr($p, $pos, 0) = substr($p, int(rand($len)), 1 + int(rand(40)));
	}
	elsif ($op == 5)
	{
		$p = substr($p, 0, $pos);
	}
	else
	{
		$p .= pick("\0", 'x', "\0" x 13, length($p) > 5 ? substr($p, 5) : 'y');
	}
	return $p;
}

my @bin_inputs = @bin_seeds;
while (@bin_inputs < $n_binary + @bin_seeds)
{
	my $p = pick(@bin_seeds);
	my $r = rand();
	if ($r < 0.7)
	{
		my $s = parse_payload($p);
		mutate_struct($s) for 1 .. 1 + int(rand(2));
		$p = serialize_payload($s);
	}
	if ($r >= 0.5)
	{
		$p = mutate_bytes($p) for 1 .. 1 + int(rand(3));
	}
	push @bin_inputs, $p;
}

diag('binary payloads: md5 ' . md5_hex(join("\n", @bin_inputs)));

# One binary COPY file per payload: header, one tuple of one field, trailer
my $bindir = "$tmp/binary";
mkdir $bindir or die "cannot create $bindir: $!";
for my $id (0 .. $#bin_inputs)
{
	open(my $fh, '>', "$bindir/$id.copy") or die "cannot write: $!";
	binmode $fh;
	print $fh "PGCOPY\n\377\r\n\0"
	  . pack('N N', 0, 0)
	  . pack('n N', 1, length $bin_inputs[$id])
	  . $bin_inputs[$id]
	  . pack('n', 0xffff);
	close $fh;
}
load_inputs('binary', \@bin_inputs);
for my $db (@dbs)
{
	my $t0 = time;
	next unless run_fuzz($db, "SELECT fuzz_binary('binary', '$bindir')", 'binary', \@bin_inputs);
	$timing{"$db binary"} = time - $t0;
	my %c = report($db, 'binary', \@bin_inputs, scalar(@bin_seeds));
	$totals{"binary $_"} += $c{$_} for keys %c;
}
diag('totals over both databases: '
	  . join(', ', map { "$_ $totals{$_}" } sort keys %totals));

# ----------------------------------------------------------------------
# Limits
# ----------------------------------------------------------------------

# Run $sql; return (SQLSTATE or 'ok', stdout).  A failed connection or a
# crash gives 'no SQLSTATE'.
sub run_state
{
	my ($sql) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	return ('ok', $out) if $ret == 0;
	return ($err =~ /ERROR:  ([0-9A-Z]{5}):/ ? $1 : "no SQLSTATE ($err)", $out);
}

sub expect_state
{
	my ($sql, $want, $name) = @_;
	my ($state) = run_state($sql);
	is($state, $want, $name);
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "server up after: $name");
}

my $big = q{repeat('x', 20 * 1024 * 1024)};
my $ts = q{'2026-11-28 10:00:00+00'::timestamptz};
my $t0 = time;
expect_state("SELECT likeset_add('{a}', $big, $ts)", '54000', '20 MB element in likeset_add with ts');
expect_state("SELECT likeset_add('{a}', $big)", '54000', '20 MB element in likeset_add');
expect_state("SELECT '{a}'::likeset + $big", '54000', '20 MB element in +');
expect_state("SELECT likeset_remove('{a}', $big, $ts)", '54000', '20 MB element in likeset_remove with ts');
expect_state("SELECT '{a}'::likeset - $big", '54000', '20 MB element in -');
expect_state("SELECT ('{' || $big || '}')::likeset", '54000', '20 MB element in text input');
expect_state(qq{SELECT ('{"' || $big || '"}')::likeset}, '54000', '20 MB quoted element in text input');
expect_state("SELECT likeset_agg($big)", '54000', '20 MB element in likeset_agg');
expect_state("SELECT likeset_agg(e) FROM (VALUES ('a'), ($big), ('b')) v(e)",
	'54000', '20 MB element among others in likeset_agg');
expect_state("SELECT likeset_agg($big, $ts)", '54000', '20 MB element in likeset_agg with ts');
my ($st, $out) = run_state("SELECT likeset_contains('{a}', $big)");
ok($st eq '54000' || ($st eq 'ok' && $out eq 'f'),
	"20 MB element in likeset_contains: false or 54000 (got $st $out)");
$timing{'20 MB elements'} = time - $t0;

# the limit is 4096 bytes, not characters
is( $node->safe_psql('postgres', qq{
	SELECT likeset_count(likeset_add('{}', repeat('x', 4096), $ts))
	     + likeset_count(('{' || repeat('x', 4096) || '}')::likeset)
	     + likeset_count(likeset_agg(repeat('é', 2048)))}),
	'3', 'elements of 4096 bytes are accepted');
expect_state("SELECT likeset_add('{}', repeat('x', 4097), $ts)", '54000', 'element of 4097 bytes in likeset_add');
expect_state("SELECT likeset_add('{}', repeat('é', 2049), $ts)", '54000', 'element of 2049 two-byte characters in likeset_add');
expect_state("SELECT ('{' || repeat('x', 4097) || '}')::likeset", '54000', 'element of 4097 bytes in text input');
expect_state("SELECT likeset_agg(repeat('x', 4097))", '54000', 'element of 4097 bytes in likeset_agg');

# Infinite timestamps are no operation times; compact takes them as horizons
for my $inf ('infinity', '-infinity')
{
	expect_state("SELECT likeset_add('{a}', 'b', '$inf')", '22008', "likeset_add at $inf");
	expect_state("SELECT likeset_remove('{a}', 'a', '$inf')", '22008', "likeset_remove at $inf");
	expect_state("SELECT likeset_agg('b', '$inf'::timestamptz)", '22008', "likeset_agg at $inf");
	expect_state(
		"SELECT likeset_agg(e, t) FROM (VALUES ('a', now()), ('b', '$inf'::timestamptz), ('c', now())) v(e, t)",
		'22008', "likeset_agg with one row at $inf");
}
my $withdead = q{'{a@2026-01-01T00:00:00Z,-b@2026-01-01T00:00:00Z,-c@+294276-12-31T23:59:59.999999Z,d,-e}'::likeset};
is($node->safe_psql('postgres', "SELECT likeset_compact($withdead, 'infinity')"),
	'@2026-01-01T00:00:00.000001Z{a@2026-01-01T00:00:00Z,-c@+294276-12-31T23:59:59.999999Z,d}',
	'likeset_compact with infinity drops every tombstone but one at the last microsecond, and records the horizon that protects them');
is($node->safe_psql('postgres', "SELECT likeset_compact($withdead, 'infinity')::text::likeset = likeset_compact($withdead, 'infinity')"),
	't', 'a compacted value round-trips through text');
is($node->safe_psql('postgres', "SELECT likeset_compact($withdead, '-infinity') = $withdead"),
	't', 'likeset_compact with -infinity drops nothing');

# An aggregate of 2,000,000 distinct elements, then the value through text
# and binary COPY and back, with the time of each step and the peak memory
# of the backend that ran them
{
	my $session = $node->background_psql('postgres', on_error_stop => 0);
	$session->set_query_timer_restart;
	my $pid = $session->query_safe('SELECT pg_backend_pid()');
	$session->query_safe('\set VERBOSITY verbose');
	# run one statement; (output, error or undef)
	my $step = sub {
		my ($name, $sql) = @_;
		$session->{stderr} = '';
		my $t0 = time;
		my ($out, $failed) = $session->query($sql);
		$timing{"2,000,000: $name"} = time - $t0;
		return ($out, $failed ? $session->{stderr} : undef);
	};
	my ($res, $err) = $step->('likeset_agg', q{
		CREATE TABLE big AS
		SELECT likeset_agg('u' || g) AS s FROM generate_series(1, 2000000) g});
	if (!defined $err)
	{
		($res, $err) = $step->('count and lookups', q{
			SELECT likeset_count(s) || ',' || (s @> 'u1') || ',' || (s @> 'u2000000')
			       || ',' || (s @> 'u0') || ',' || pg_column_size(s) FROM big});
		diag("likeset_agg of 2,000,000 elements: count,u1,u2000000,u0,size = $res");
		like($res, qr/^2000000,true,true,false,\d+$/,
			'likeset_agg of 2,000,000 distinct elements counts them all');
		($res, $err) = $step->('text round trip',
			'SELECT s::text::likeset = s FROM big');
		is($res . ($err // ''), 't', '2,000,000 elements: s::text::likeset = s');
		($res, $err) = $step->('binary COPY round trip', qq{
			COPY big TO '$tmp/big.copy' (FORMAT binary);
			CREATE TABLE big2 (s likeset);
			COPY big2 FROM '$tmp/big.copy' (FORMAT binary);
			SELECT big.s = big2.s FROM big, big2});
		is($res . ($err // ''), 't', '2,000,000 elements: binary COPY out and in gives the same value');
	}
	else
	{
		diag("likeset_agg of 2,000,000 elements failed: $err");
		like($err, qr/ERROR:  (54000|53200):/,
			'likeset_agg of 2,000,000 elements fails cleanly');
	}
	my $hwm = 'unknown';
	if (open(my $fh, '<', "/proc/$pid/status"))
	{
		while (<$fh>) { $hwm = $1 if /^VmHWM:\s+(.*\S)/; }
		close $fh;
	}
	$session->quit;
	diag("2,000,000 elements: backend peak RSS $hwm");
}
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server up after the big aggregate');

# ----------------------------------------------------------------------
# The server survived all of it
# ----------------------------------------------------------------------

my $still = eval { $watch->query('SELECT pg_backend_pid()') };
is($still // "gone: $@", $watch_pid,
	'a session opened at the start is still connected: no backend crashed');
eval { $watch->quit };
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server still up');
my $log = slurp_file($node->logfile);
unlike($log, qr/server process .* was terminated by signal/,
	'no backend was terminated by a signal');
unlike($log, qr/ XX000 |PANIC|TRAP:|terminating any other active server processes/,
	'no internal error, PANIC or crash restart in the log');

diag('timings: ' . join(', ', map { sprintf('%s %.1f s', $_, $timing{$_}) } sort keys %timing));

$node->stop;
done_testing();
