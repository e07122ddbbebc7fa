# Compaction with the safe horizon while writes and replication continue.
#
# Three nodes in a full mesh (value layout, likeset_replicate) write likes
# and unlikes with explicit timestamps; on every node a compactor calls
# likeset_compact_table('pages', likeset_safe_horizon(margin)) every 0.3 s
# throughout, including while one node is cut off (its safe horizon is then
# NULL and it must not compact) and while its peers keep compacting.  Then
# late retries of old likes, older than the unlike that followed them and
# than the horizon that dropped its tombstone, arrive on other nodes.
#
# Checks: compaction did drop tombstones and record horizons; every node
# ends with the same states; no removed like came back on any node (every
# element's presence is the last-writer-wins model of all operations); no
# apply error; the log-layout refusal.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use FindBin;
use lib $FindBin::RealBin;
use LikesetMesh qw(mesh_subscribe);
use Time::HiRes qw(time usleep);

my @names = qw(a b c);
my %node;
my $margin = '2 seconds';

foreach my $n (@names)
{
	my $node = PostgreSQL::Test::Cluster->new("cnode_$n");
	$node->init(allows_streaming => 'logical');
	$node->append_conf(
		'postgresql.conf', qq{
max_connections = 30
max_worker_processes = 12
max_replication_slots = 10
max_wal_senders = 10
max_logical_replication_workers = 4
log_statement = none
wal_receiver_status_interval = 1s
});
	$node->start;
	$node{$n} = $node;
	$node->safe_psql(
		'postgres', qq{
CREATE EXTENSION likeset;
CREATE TABLE pages (page_id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
INSERT INTO pages SELECT g FROM generate_series(1, 4) g;
SELECT likeset_replicate('pages');
CREATE PUBLICATION pub FOR TABLE pages;
-- every operation this node accepted; local, not published
CREATE TABLE oplog (node text, page_id int, elem text, ts timestamptz, removed bool);
-- what each compaction round did
CREATE TABLE compactions (at timestamptz, horizon timestamptz, rows bigint);

-- n operations, each its own transaction: like or unlike of u1..u12 on a
-- page, stamped with the clock (as a client stamping its click)
CREATE PROCEDURE writer(n int, pause float8) LANGUAGE plpgsql AS \$\$
DECLARE
	p int; e text; r boolean; t timestamptz;
BEGIN
	FOR i IN 1 .. n LOOP
		p := 1 + floor(random() * 4)::int;
		e := 'u' || (1 + floor(random() * 12)::int);
		r := random() < 0.45;
		t := clock_timestamp();
		IF r THEN
			UPDATE pages SET likes = likeset_remove(likes, e, t) WHERE page_id = p;
		ELSE
			UPDATE pages SET likes = likeset_add(likes, e, t) WHERE page_id = p;
		END IF;
		INSERT INTO oplog VALUES ('$n', p, e, t, r);
		COMMIT;
		PERFORM pg_sleep(pause);
	END LOOP;
END \$\$;

-- compaction rounds until the flag table has a row
CREATE TABLE stop_compacting (x int);
CREATE PROCEDURE compactor(margin interval) LANGUAGE plpgsql AS \$\$
DECLARE
	h timestamptz;
	n bigint;
BEGIN
	LOOP
		EXIT WHEN EXISTS (SELECT 1 FROM stop_compacting);
		h := likeset_safe_horizon(margin);
		n := CASE WHEN h IS NULL THEN NULL ELSE likeset_compact_table('pages', h) END;
		INSERT INTO compactions VALUES (clock_timestamp(), h, n);
		COMMIT;
		PERFORM pg_sleep(0.3);
	END LOOP;
END \$\$;
});
}

my @pairs = mesh_subscribe(\%node, \@names, 'pub', 'copy_data = false');    # [publisher, subscriber]

sub sync_mesh
{
	foreach (1 .. 3)
	{
		foreach my $pair (@pairs)
		{
			my ($p, $s) = @$pair;
			$node{$p}->wait_for_catchup("${s}_from_$p");
		}
	}
}
sync_mesh();

# Before any progress is reported the safe horizon may be NULL; wait until
# every node has one
foreach my $n (@names)
{
	ok( $node{$n}->poll_query_until(
			'postgres', "SELECT likeset_safe_horizon('$margin') IS NOT NULL"),
		"node $n: a safe horizon once the subscriptions report progress");
}

sub bg_psql
{
	my ($n, $sql) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $node{$n}->host,
		  '-p', $node{$n}->port, '-d', 'postgres', '-c', $sql ],
		'>', \$out, '2>', \$err);
	return { h => $h, out => \$out, err => \$err, n => $n };
}

sub bg_finish
{
	my ($run, $what) = @_;
	my $ok = eval { $run->{h}->finish; 1 } && $run->{h}->result == 0;
	ok($ok, "$what on node $run->{n} finished") or diag ${ $run->{err} };
}

my @compactors = map { bg_psql($_, "CALL compactor('$margin')") } @names;

# Poll $query on node $n until it returns true; fail the test, saying
# what was awaited, after the timeout
sub wait_for
{
	my ($n, $query, $what) = @_;
	ok($node{$n}->poll_query_until('postgres', $query), "node $n: $what");
	return;
}

# phase 1: everyone writes; the partition starts once every node has
# accepted 60 operations
my @writers = map { bg_psql($_, "CALL writer(250, 0.01)") } @names;
wait_for($_, 'SELECT count(*) >= 60 FROM oplog', '60 operations before the partition') foreach @names;

# phase 2: c is cut off (it neither receives nor, therefore, may compact)
$node{c}->safe_psql('postgres',
	'ALTER SUBSCRIPTION c_from_a DISABLE; ALTER SUBSCRIPTION c_from_b DISABLE');
is($node{c}->safe_psql('postgres', "SELECT likeset_safe_horizon('$margin') IS NULL"),
	't', 'node c: no safe horizon while its subscriptions are disabled');
# the partition lasts until c has had three rounds without a safe horizon,
# and its peers have written 60 more operations each
my $cut = $node{c}->safe_psql('postgres', 'SELECT clock_timestamp()');
my %ops_at_cut = map { ($_ => $node{$_}->safe_psql('postgres', 'SELECT count(*) FROM oplog')) } qw(a b);
wait_for('c', "SELECT count(*) >= 3 FROM compactions WHERE horizon IS NULL AND at > '$cut'",
	'three compaction rounds without a safe horizon while cut off');
wait_for($_, "SELECT count(*) >= $ops_at_cut{$_} + 60 FROM oplog", '60 operations during the partition')
  foreach qw(a b);
$node{c}->safe_psql('postgres',
	'ALTER SUBSCRIPTION c_from_a ENABLE; ALTER SUBSCRIPTION c_from_b ENABLE');
bg_finish($_, 'writer') foreach @writers;
sync_mesh();

# compaction continues while the retries below arrive; they come once
# every node has compacted at a horizon past the last operation (the safe
# horizon trails the clock by the margin), so their tombstones may be gone
my $last_ts = (sort map { $node{$_}->safe_psql('postgres', 'SELECT max(ts) FROM oplog') } @names)[-1];
wait_for($_, "SELECT max(horizon) > '$last_ts' FROM compactions", 'a compaction round past the last operation')
  foreach @names;

# phase 3: late retries.  For elements whose last operation is an unlike,
# an earlier like of theirs is sent again, with its original timestamp, to
# another node: older than the unlike, and older than the horizon that may
# have dropped the unlike's tombstone.
my %rows;
foreach my $n (@names)
{
	$rows{$n} = $node{$n}->safe_psql('postgres',
		"SELECT page_id, elem, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), removed FROM oplog");
}
# the model: per (page, elem) the greatest (ts, removed)
my (%last, %likes);
foreach my $n (@names)
{
	foreach my $line (split /\n/, $rows{$n})
	{
		my ($p, $e, $t, $r) = split /\|/, $line;
		my $k = "$p|$e";
		my $cur = $last{$k};
		if (!$cur || $t gt $cur->[0] || ($t eq $cur->[0] && $r eq 't' && $cur->[1] eq 'f'))
		{
			$last{$k} = [ $t, $r ];
		}
		push @{ $likes{$k} }, [ $t, $n ] if $r eq 'f';
	}
}
my @retries;
foreach my $k (sort keys %last)
{
	next unless $last{$k}[1] eq 't';
	my @old = grep { $_->[0] lt $last{$k}[0] } @{ $likes{$k} // [] };
	next unless @old;
	my ($t, $from) = @{ $old[0] };
	my ($p, $e) = split /\|/, $k;
	my ($to) = grep { $_ ne $from } @names;
	push @retries, [ $to, $p, $e, $t ];
}
ok(scalar(@retries) >= 5, 'there are unliked elements with earlier likes to retry: ' . scalar(@retries));
my %before = map { $_ => $node{$_}->safe_psql('postgres',
		"SELECT coalesce(sum(tombstones), 0) || ' ' || count(*) FILTER (WHERE rows > 0) FROM likeset_stats('pages'), compactions") } @names;
foreach my $r (@retries)
{
	my ($to, $p, $e, $t) = @$r;
	$node{$to}->safe_psql('postgres',
		"UPDATE pages SET likes = likeset_add(likes, '$e', '$t+00') WHERE page_id = $p");
}
sync_mesh();
# and one more compaction round on every node after the retries arrived
my %retried_at = map { ($_ => $node{$_}->safe_psql('postgres', 'SELECT clock_timestamp()')) } @names;
wait_for($_, "SELECT count(*) >= 1 FROM compactions WHERE at > '$retried_at{$_}'",
	'a compaction round after the retries') foreach @names;
$node{$_}->safe_psql('postgres', 'INSERT INTO stop_compacting VALUES (1)') foreach @names;
bg_finish($_, 'compactor') foreach @compactors;
sync_mesh();

# compaction happened, with horizons, on every node (a node may find its
# rows already compacted by a peer's replicated values)
my $total_rewrites = 0;
foreach my $n (@names)
{
	my ($rounds, $rewrites, $nulls_in_partition) = split /\|/, $node{$n}->safe_psql('postgres',
		"SELECT count(*), coalesce(sum(rows), 0), count(*) FILTER (WHERE horizon IS NULL) FROM compactions");
	diag "node $n: $rounds compaction rounds, $rewrites rows rewritten, $nulls_in_partition rounds without a safe horizon";
	$total_rewrites += $rewrites;
	my $h = $node{$n}->safe_psql('postgres',
		"SELECT count(*) FILTER (WHERE likeset_horizon(likes) IS NOT NULL) FROM pages");
	ok($h > 0, "node $n: values record a horizon ($h of 4)");
}
ok($total_rewrites > 0, "compaction rewrote rows ($total_rewrites)");
my $c_nulls = $node{c}->safe_psql('postgres',
	"SELECT count(*) FROM compactions WHERE horizon IS NULL");
ok($c_nulls > 0, "node c had rounds without a safe horizon ($c_nulls) while cut off");

# the same states everywhere, and the model's presence on every node
my $states_a = $node{a}->safe_psql('postgres', 'SELECT page_id, likes FROM pages ORDER BY 1');
foreach my $n (qw(b c))
{
	is($node{$n}->safe_psql('postgres', 'SELECT page_id, likes FROM pages ORDER BY 1'),
		$states_a, "node $n has the same states as node a");
}
my $resurrected = 0;
my $lost = 0;
foreach my $n (@names)
{
	my %present = map { $_ => 1 } split /\n/, $node{$n}->safe_psql('postgres',
		"SELECT page_id || '|' || e FROM pages, likeset_elements(likes) e");
	foreach my $k (keys %last)
	{
		my $want = $last{$k}[1] eq 'f';
		$resurrected++ if !$want && $present{$k};
		$lost++ if $want && !$present{$k};
	}
	foreach my $k (keys %present)
	{
		$resurrected++ unless $last{$k};
	}
}
is($resurrected, 0, 'no removed like came back on any node');
is($lost, 0, 'no like was lost on any node');
my $tomb = $node{a}->safe_psql('postgres', "SELECT tombstones FROM likeset_stats('pages')");
my $removed = grep { $last{$_}[1] eq 't' } keys %last;
diag "model: " . scalar(keys %last) . " elements, $removed removed; tombstones left on a: $tomb; "
  . scalar(@retries) . ' late retries; before the retries (tombstones, rounds with rewrites): '
  . join(', ', map { "$_ $before{$_}" } @names);
ok($tomb < $removed, "compaction dropped tombstones ($tomb of $removed left)");

# no apply error anywhere (connection errors of the partition aside)
foreach my $n (@names)
{
	my @bad = grep { /\b(ERROR|PANIC):/ && !/could not (?:connect|receive data|send data|send end-of-streaming)|error (?:while shutting down|reading result of) streaming|is active for PID|is already active for PID|canceling statement due to user request/ }
	  split /\n/, slurp_file($node{$n}->logfile);
	is(scalar(@bad), 0, "node $n: no unexpected errors in the log") or diag join("\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]);
}

# log tables are not compacted (see the README)
$node{a}->safe_psql('postgres', "SELECT likeset_create_log('page_likes')");
my ($ret, $out, $err) = $node{a}->psql('postgres', "SELECT likeset_compact_table('page_likes', now())");
like($err, qr/does not compact log tables/, 'likeset_compact_table refuses a log table');

$node{$_}->stop foreach @names;
done_testing();
