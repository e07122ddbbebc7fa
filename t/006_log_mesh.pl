# The log layout (docs/large-sets.md) on three nodes in a full mesh of
# logical replication: each node has the log table page_likes made by
# likeset_create_log() with small parts (part_max 16, so parts split all the
# time), publishes its inserts and subscribes to the two others.  PostgreSQL
# 15 sends every applied row back out, so only the replica trigger on the
# log table stops echoes.
#
# Writers on every node like and unlike through likeset_like() and
# likeset_unlike(), with and without timestamps, on a few small pages and
# on one "viral" page that grows to thousands of elements, while a folding
# loop runs on every node the whole time, through a partition, a crash of a
# writing and folding node, a restart and a heal.  Checks:
# - the nodes converge: likeset_value() and likeset_count() of every page
#   are equal on all nodes;
# - every entry equals the last-writer-wins model of the operations all
#   nodes committed (exact timestamps and flags), so nothing was lost;
# - likeset_count() and likeset_contains() agree with the model both with
#   rows still pending and after a final fold; each node's heads and parts
#   are consistent;
# - no apply worker or folder failed;
# - once idle, WAL and the row counters of the log, part and head tables
#   stand still (the echoes died out), with the folders still running;
# - and that the replica trigger is what stops the echoes: with it
#   disabled, one like loops through the mesh and multiplies.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);
use POSIX qw(strftime);
use FindBin;
use lib $FindBin::RealBin;
use LikesetMesh;

my @names = qw(a b c);
my %node;
my $seed = int(rand(1_000_000_000));
diag "pgbench --random-seed=$seed";
my $test_start = time;

# The pages: 1 .. 5 are small (30 users each, much contention), 100 is the
# viral page (up to 10,000 users), 998 and 999 serve the echo checks
my @small_pages = (1 .. 5);
my $viral = 100;
my $viral_users = 10000;
my @all_pages = (@small_pages, $viral, 998, 999);
my $part_max = 16;

foreach my $n (@names)
{
	my $node = PostgreSQL::Test::Cluster->new("node_$n");
	$node->init(allows_streaming => 'logical');
	# Autovacuum is off because a VACUUM or ANALYZE in the idle window would
	# write WAL for reasons that have nothing to do with replication.
	$node->append_conf(
		'postgresql.conf', qq{
max_connections = 30
max_worker_processes = 12
max_replication_slots = 10
max_wal_senders = 10
max_logical_replication_workers = 4
autovacuum = off
log_statement = none
});
	$node->start;
	$node{$n} = $node;
}

foreach my $n (@names)
{
	$node{$n}->safe_psql(
		'postgres', qq{
CREATE EXTENSION likeset;
SELECT likeset_create_log('page_likes', 'int', $part_max);
CREATE PUBLICATION pub FOR TABLE page_likes (key, element, ts, removed) WITH (publish = 'insert');
-- every operation committed on this node, as issued; local, not published
CREATE TABLE oplog (node text NOT NULL, page int NOT NULL, elem text NOT NULL,
					ts timestamptz NOT NULL, removed bool NOT NULL);
-- tells this node's folding loop to stop
CREATE TABLE fold_ctl (stop bool NOT NULL);
INSERT INTO fold_ctl VALUES (false);
});
}

# Subscription "<subscriber>_from_<publisher>"; it is also the slot name on
# the publisher and the application_name it sees
my @pairs = mesh_subscribe(\%node, \@names, 'pub', 'copy_data = false');    # [publisher, subscriber]

#
# Helpers
#

# No apply worker failed and nothing crashed; b's clients and workers are
# terminated at its crash and restart (t/LikesetMesh.pm)
sub check_logs { mesh_check_logs(\%node, fatal_ok => 1); return; }

# Fail, show what the logs say, and stop (a wait timed out: the rest would
# only time out again)
sub give_up
{
	my ($why) = @_;
	fail($why);
	check_logs();
	done_testing();
	exit;
}

# Catch-up rounds over the given pairs until a round in which no node wrote
# anything; the folders fold what arrived, so rounds are 0.3 s apart
sub sync_pairs { return mesh_sync_pairs(\%node, [@_], 1, 300_000); }

sub sync_mesh { return sync_pairs(@pairs); }

# A node's state of every page, one line each: page, md5 of
# likeset_value()'s text, likeset_count()
my $pages_values = join(',', map { "($_)" } @all_pages);
sub state_of
{
	my ($n) = @_;
	return $node{$n}->safe_psql('postgres',
		"SELECT k, md5(likeset_value('page_likes', k)::text), likeset_count('page_likes', k)
		   FROM (VALUES $pages_values) v(k) ORDER BY k");
}

sub all_identical
{
	my @nodes = @_ ? @_ : @names;
	my $first = state_of($nodes[0]);
	foreach my $n (@nodes[ 1 .. $#nodes ])
	{
		return 0 if state_of($n) ne $first;
	}
	return 1;
}

# One pgbench script per node.  A transaction picks one of:
# - a like or unlike without timestamp on a small page; the timestamp it
#   took is read back from the row it inserted (xmin) and logged;
# - a like or unlike on a small page at an explicit timestamp up to 2 s
#   in the past, logged as issued (it may already be beaten, and must then
#   lose);
# - a burst of 10 likes (15% unlikes) of random users on the viral page,
#   at explicit timestamps, logged as issued;
# - a like without timestamp on the viral page, read back and logged.
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my %script;
foreach my $n (@names)
{
	my $N = uc $n;
	my $now_op = sub {
		my ($fn, $page, $elem) = @_;
		return qq{BEGIN;
SELECT $fn('page_likes', $page, $elem);
INSERT INTO oplog SELECT '$N', l.key, l.element, l.ts, l.removed FROM page_likes l
  WHERE l.key = $page AND l.element = $elem AND l.xmin = pg_current_xact_id()::xid;
END;
};
	};
	my $at_op = sub {
		my ($fn, $removed) = @_;
		return qq{BEGIN;
SELECT $fn('page_likes', :p, 'u' || :uid, now() - :back * interval '1 microsecond');
INSERT INTO oplog VALUES ('$N', :p, 'u' || :uid, now() - :back * interval '1 microsecond', $removed);
END;
};
	};
	my $burst = qq{WITH o AS (INSERT INTO oplog
  SELECT '$N', $viral, 'v' || (1 + floor(random() * $viral_users))::int,
         now() - floor(random() * 2000000) * interval '1 microsecond', random() < 0.15
  FROM generate_series(1, 10) RETURNING elem, ts, removed)
SELECT count(CASE WHEN removed THEN likeset_unlike('page_likes', $viral, elem, ts)
                  ELSE likeset_like('page_likes', $viral, elem, ts) END) FROM o;
};
	$script{$n} = "$tempdir/ops_$n.sql";
	open my $fh, '>', $script{$n} or die "could not write $script{$n}: $!";
	print $fh "\\set p random(1, 5)\n\\set uid random(1, 30)\n"
	  . "\\set v random(1, $viral_users)\n"
	  . "\\set op random(0, 9)\n\\set back random(0, 2000000)\n"
	  . "\\if :op < 2\n"
	  . $now_op->('likeset_like', ':p', "'u' || :uid")
	  . "\\elif :op = 2\n"
	  . $now_op->('likeset_unlike', ':p', "'u' || :uid")
	  . "\\elif :op < 5\n"
	  . $at_op->('likeset_like', 'false')
	  . "\\elif :op = 5\n"
	  . $at_op->('likeset_unlike', 'true')
	  . "\\elif :op < 9\n"
	  . $burst
	  . "\\else\n"
	  . $now_op->('likeset_like', $viral, "'v' || :v")
	  . "\\endif\n";
	close $fh;
}

# Start pgbench on a node in the background: 2 clients, $tx transactions
# each, at about $rate transactions per second in all; each run has a seed
# of its own
my $pgbench_runs = 0;
sub start_pgbench
{
	my ($n, $tx, $rate) = @_;
	my ($out, $err) = ('', '');
	my $run_seed = $seed + 1000 * $pgbench_runs++ + ord($n);
	my $h = IPC::Run::start(
		[
			'pgbench', '-n', '-h', $node{$n}->host, '-p', $node{$n}->port,
			'-c', '2', '-j', '2', '-t', $tx, '-R', $rate, "--random-seed=$run_seed",
			'-f', $script{$n}, 'postgres'
		],
		'>', \$out, '2>', \$err);
	return { node => $n, h => $h, out => \$out, err => \$err, tx => $tx };
}

sub finish_pgbench
{
	foreach my $run (@_)
	{
		my $ok = $run->{h}->finish;
		my $n = $run->{node};
		ok($ok, "pgbench on node $n succeeded")
		  or diag "pgbench on node $n: stdout:\n${$run->{out}}\nstderr:\n${$run->{err}}";
		like(
			${ $run->{out} },
			qr/number of transactions actually processed: (\d+)\/\1\b/,
			"pgbench on node $n processed all its transactions");
	}
	return;
}

sub oplog_count
{
	my ($n) = @_;
	return $node{$n}->safe_psql('postgres', 'SELECT count(*) FROM oplog');
}

sub total_ops
{
	my $sum = 0;
	$sum += oplog_count($_) foreach @_;
	return $sum;
}

# The folding loop of a node: one psql session running likeset_fold()
# every 0.2 s, committing after each fold, until fold_ctl says stop.  Each
# fold that folded rows reports its row count and duration as a notice.
my $fold_loop = q{DO $$
DECLARE
	n bigint;
	t timestamptz;
BEGIN
	LOOP
		t := clock_timestamp();
		n := likeset_fold('page_likes');
		IF n > 0 THEN
			RAISE NOTICE 'folded % rows in % ms', n,
				round(extract(epoch FROM clock_timestamp() - t) * 1000, 1);
		END IF;
		COMMIT;
		EXIT WHEN (SELECT stop FROM fold_ctl);
		PERFORM pg_sleep(0.2);
	END LOOP;
END
$$};

my %folder;    # node => running folding loop
my %fold_stats = map { ($_ => { folds => 0, rows => 0, max_ms => 0 }) } @names;

sub start_folder
{
	my ($n) = @_;
	$node{$n}->safe_psql('postgres', 'UPDATE fold_ctl SET stop = false');
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $node{$n}->host,
			'-p', $node{$n}->port, '-d', 'postgres', '-c', $fold_loop
		],
		'<', \undef, '>', \$out, '2>', \$err);
	$folder{$n} = { h => $h, err => \$err };
	return;
}

# Add up what a folding loop reported
sub fold_tally
{
	my ($n, $err) = @_;
	while ($err =~ /folded (\d+) rows in ([\d.]+) ms/g)
	{
		$fold_stats{$n}{folds}++;
		$fold_stats{$n}{rows} += $1;
		$fold_stats{$n}{max_ms} = $2 if $2 > $fold_stats{$n}{max_ms};
	}
	return;
}

# Stop a node's folding loop and check that it ran without error
sub stop_folder
{
	my ($n) = @_;
	my $f = delete $folder{$n};
	$node{$n}->safe_psql('postgres', 'UPDATE fold_ctl SET stop = true');
	my $ok = $f->{h}->finish;
	ok($ok, "node $n: the folding loop ran without error")
	  or diag "folding loop of node $n: " . join("\n", grep { !/folded/ } split /\n/, ${ $f->{err} });
	fold_tally($n, ${ $f->{err} });
	return;
}

#
# Phase 0: the echo check.  One like on a page of its own reaches the two
# other nodes and its echoes are dropped: at most a few copies exist (two
# may race).  Then the same with the replica trigger disabled everywhere:
# the like loops through the mesh and multiplies, which this test would
# see as rows and WAL growing while idle.  The trigger is enabled again and
# the loop dies out.
#
sub log_rows
{
	my ($page) = @_;
	my $sum = 0;
	$sum += $node{$_}->safe_psql('postgres', "SELECT count(*) FROM page_likes WHERE key = $page")
	  foreach @names;
	return $sum;
}

sub like_on_a
{
	my ($page, $ts) = @_;
	$node{a}->safe_psql(
		'postgres', qq{BEGIN;
SELECT likeset_like('page_likes', $page, 'echo', '$ts');
INSERT INTO oplog VALUES ('A', $page, 'echo', '$ts', false);
COMMIT;});
	return;
}

sync_mesh() or give_up('setup: subscriptions catch up');
like_on_a(998, '2026-01-01 00:00:00+00');
sync_mesh() or give_up('echo check: the mesh settles');
my $copies = log_rows(998);
cmp_ok($copies, '>=', 3, "echo check: one like reached every node ($copies rows in all)");
cmp_ok($copies, '<=', 6, 'echo check: its echoes were dropped');

$node{$_}->safe_psql('postgres', 'ALTER TABLE page_likes DISABLE TRIGGER likeset_log_dedupe')
  foreach @names;
like_on_a(999, '2026-01-01 00:00:00+00');
# Watch the copies multiply, and stop them early (the backlog grows
# exponentially and every copy has to be decoded and dropped afterwards):
# until there are more than 60 rows, then until there are twice as many
my $t_storm = time;
my ($storm1, $storm2, $storm1_secs, $storm2_secs) = (0, 0, 0, 0);
while (time - $t_storm < 30)
{
	usleep(50_000);
	my $rows = log_rows(999);
	if (!$storm1 && $rows > 60)
	{
		($storm1, $storm1_secs) = ($rows, time - $t_storm);
	}
	elsif ($storm1 && $rows >= 2 * $storm1)
	{
		($storm2, $storm2_secs) = ($rows, time - $t_storm);
		last;
	}
}
$node{$_}->safe_psql('postgres',
	'ALTER TABLE page_likes ENABLE REPLICA TRIGGER likeset_log_dedupe')
  foreach @names;
ok($storm1, "without the replica trigger one like loops: more than 60 rows ($storm1) after "
	  . sprintf('%.1f s', $storm1_secs));
ok($storm2, "without the replica trigger the rows keep multiplying: $storm2 rows after "
	  . sprintf('%.1f s', $storm2_secs));
my $t_settle = time;
sync_mesh() or give_up('echo check: the loop dies out once the trigger is back');
my $storm_total = log_rows(999);
diag sprintf(
	"echo check: 1 like, %d log rows in all with the trigger; without it %d after %.1f s, %d after %.1f s, %d once it died out (%.1f s after the trigger was back)",
	$copies, $storm1, $storm1_secs, $storm2, $storm2_secs, $storm_total, time - $t_settle);

start_folder($_) foreach @names;

my (%phase_ops, %phase_secs);

# Phase 1: every node writes, the mesh is healthy
my $before = total_ops(@names);
my $t0 = time;
finish_pgbench(map { start_pgbench($_, 120, 60) } @names);
$phase_secs{'1 healthy mesh'} = time - $t0;
$phase_ops{'1 healthy mesh'} = total_ops(@names) - $before;

# Phase 2: partition node c (its two subscriptions and the two that read
# from it), wait until those apply workers are gone, all three keep writing
my %partition = (
	c => [ 'c_from_a', 'c_from_b' ],
	a => ['a_from_c'],
	b => ['b_from_c']);

sub set_partition
{
	my ($action) = @_;
	foreach my $n (sort keys %partition)
	{
		$node{$n}->safe_psql('postgres', "ALTER SUBSCRIPTION $_ $action")
		  foreach @{ $partition{$n} };
	}
	return;
}
set_partition('DISABLE');
foreach my $n (sort keys %partition)
{
	my $list = join(', ', map { "'$_'" } @{ $partition{$n} });
	$node{$n}->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_subscription WHERE subname IN ($list) AND pid IS NOT NULL"
	) or die "apply workers of node $n did not stop";
}
$before = total_ops(@names);
$t0 = time;
finish_pgbench(map { start_pgbench($_, 120, 60) } @names);
$phase_secs{'2 c partitioned'} = time - $t0;
$phase_ops{'2 c partitioned'} = total_ops(@names) - $before;

# a and b still replicate to each other, c is cut off both ways
sync_pairs([ 'a', 'b' ], [ 'b', 'a' ])
  or give_up('partition: a and b catch up with each other');
ok(all_identical('a', 'b'), 'partition: a and b converge');
isnt(state_of('a'), state_of('c'), 'partition: c diverges from a and b');

# Phase 3: crash b (immediate stop) while all three write and fold (c
# still partitioned); b's writer and folder lose their connection.  Then
# restart b and write on all three again.
$before = total_ops(@names);
my $before_b = oplog_count('b');
$t0 = time;
my %runs = map { ($_ => start_pgbench($_, 150, 60)) } @names;
while (total_ops(@names) - $before < 150
	&& time - $t0 < $PostgreSQL::Test::Utils::timeout_default)
{
	usleep(20_000);
}
my $at_crash_b = oplog_count('b');
$node{b}->stop('immediate');
my $at_crash = total_ops('a', 'c') - $before + $at_crash_b;
my $b_run = delete $runs{b};
$b_run->{h}->finish;    # fails: its server went away
like(${ $b_run->{err} }, qr/terminating connection due to immediate shutdown|backend died|server closed the connection|connection to server/,
	"b's writer lost its connection at the crash");
my $b_folder = delete $folder{b};
$b_folder->{h}->finish;
fold_tally('b', ${ $b_folder->{err} });
finish_pgbench(map { $runs{$_} } sort keys %runs);
$phase_secs{'3a b crashed'} = time - $t0;
$node{b}->start;
start_folder('b');
my $phase3a = total_ops(@names) - $before;
cmp_ok($at_crash, '<', $phase3a, 'b crashed while the nodes were writing');
diag "phase 3: b crashed after about $at_crash of $phase3a operations ("
  . ($at_crash_b - $before_b) . " on b; "
  . (oplog_count('b') - $at_crash_b) . ' more committed on b than seen just before the crash)';
$phase_ops{'3a b crashed'} = $phase3a;

$before = total_ops(@names);
$t0 = time;
finish_pgbench(map { start_pgbench($_, 80, 60) } @names);
$phase_secs{'3b b restarted'} = time - $t0;
$phase_ops{'3b b restarted'} = total_ops(@names) - $before;

# Phase 4: heal, then wait for the three nodes to return identical values
# and counts (the folders still run)
my $heal = time;
set_partition('ENABLE');
my $converged = 0;
while (time - $heal < $PostgreSQL::Test::Utils::timeout_default)
{
	if (all_identical())
	{
		$converged = 1;
		last;
	}
	usleep(250_000);
}
my $heal_secs = time - $heal;
ok($converged, 'all nodes converge after the heal');
my $converged_state = state_of('a');
sync_mesh() or give_up('after the heal: subscriptions catch up');
ok(all_identical(), 'all nodes identical after every subscription caught up');
is(state_of('a'), $converged_state, 'states did not change after convergence');

#
# The model: the oplogs of all nodes together; per page and element the
# greatest (timestamp, removed), a removal winning a tie.  Timestamps are
# compared as integer microseconds since 1970.  With it, the count of
# present elements of each page, and probes for likeset_contains(): every
# 7th element of each page (present or removed) and a few never seen.
#
my (%model, %model_count, $nops, $probe_values, $probe_want, $nprobes);

sub build_model
{
	%model = ();
	$nops = 0;
	foreach my $n (@names)
	{
		my $rows = $node{$n}->safe_psql('postgres',
			"SELECT page, elem, (extract(epoch FROM ts) * 1000000)::bigint, removed FROM oplog");
		foreach my $line (split /\n/, $rows)
		{
			my ($p, $e, $us, $rm) = split /\|/, $line;
			my $removed = $rm eq 't' ? 1 : 0;
			my $cur = $model{$p}{$e};
			$model{$p}{$e} = [ $us, $removed ]
			  if !defined $cur
			  || $us > $cur->[0]
			  || ($us == $cur->[0] && $removed > $cur->[1]);
			$nops++;
		}
	}
	my @probes;
	foreach my $p (@all_pages)
	{
		my %m = %{ $model{$p} // {} };
		$model_count{$p} = grep { !$_->[1] } values %m;
		my @elems = sort keys %m;
		for (my $i = 0; $i < @elems; $i += 7)
		{
			push @probes, [ $p, $elems[$i], $m{ $elems[$i] }[1] ? 'f' : 't' ];
		}
		push @probes, [ $p, "nobody$_", 'f' ] foreach (1 .. 3);
	}
	# in the order of the query below (elements compared as bytes)
	@probes = sort { $a->[0] <=> $b->[0] or $a->[1] cmp $b->[1] } @probes;
	$nprobes = scalar @probes;
	$probe_values = join(',', map { "($_->[0], '$_->[1]')" } @probes);
	$probe_want = join("\n", map { "$_->[0]|$_->[1]|$_->[2]" } @probes);
	return;
}

# Every entry of every page on a node, as likeset_value() has it, against
# the model
sub check_model
{
	my ($n, $what) = @_;
	my $rows = $node{$n}->safe_psql('postgres',
		"SELECT k, e.element, (extract(epoch FROM e.ts) * 1000000)::bigint, e.removed
		   FROM (VALUES $pages_values) v(k), likeset_entries(likeset_value('page_likes', k)) e");
	my %got;
	foreach my $line (split /\n/, $rows)
	{
		my ($p, $e, $us, $rm) = split /\|/, $line;
		$got{$p}{$e} = [ $us, $rm eq 't' ? 1 : 0 ];
	}
	my $fmt = sub {
		my ($v) = @_;
		return 'absent' unless defined $v;
		return sprintf('%s.%06dZ %s',
			strftime('%Y-%m-%dT%H:%M:%S', gmtime(int($v->[0] / 1_000_000))),
			$v->[0] % 1_000_000, $v->[1] ? 'removed' : 'present');
	};
	my (@diff, $entries);
	foreach my $p (@all_pages)
	{
		my %m = %{ $model{$p} // {} };
		my %g = %{ $got{$p} // {} };
		foreach my $e (sort(keys %{ { %m, %g } }))
		{
			$entries++;
			my ($gv, $mv) = ($g{$e}, $m{$e});
			push @diff, "page $p element $e: got " . $fmt->($gv) . ", expected " . $fmt->($mv)
			  if !defined $gv || !defined $mv || $gv->[0] != $mv->[0] || $gv->[1] != $mv->[1];
		}
	}
	is(scalar(@diff), 0, "$what: node $n: every entry matches the model ($entries entries)")
	  or diag join("\n", @diff[ 0 .. ($#diff < 19 ? $#diff : 19) ]);
	return;
}

# likeset_count() of every page on a node against the model
sub check_counts
{
	my ($n, $what) = @_;
	my $got = $node{$n}->safe_psql('postgres',
		"SELECT k, likeset_count('page_likes', k) FROM (VALUES $pages_values) v(k) ORDER BY k");
	my $want = join("\n", map { "$_|$model_count{$_}" } sort { $a <=> $b } @all_pages);
	is($got, $want, "$what: node $n: likeset_count() of every page matches the model");
	return;
}

# likeset_contains() on the probes, on a node
sub check_contains
{
	my ($n, $what) = @_;
	my $got = $node{$n}->safe_psql('postgres',
		"SELECT k, e, likeset_contains('page_likes', k, e)
		   FROM (VALUES $probe_values) v(k, e) ORDER BY k, e COLLATE \"C\"");
	is($got, $probe_want, "$what: node $n: likeset_contains() right for $nprobes probes");
	return;
}

build_model();
foreach my $n (@names)
{
	check_model($n, 'after the heal');
	check_counts($n, 'after the heal');
	check_contains($n, 'after the heal');
}

# Phase 5: stop the folders, write a little more, let it replicate: the
# reads must be right with rows pending, and again after a final fold
stop_folder($_) foreach @names;
$before = total_ops(@names);
$t0 = time;
finish_pgbench(map { start_pgbench($_, 20, 60) } @names);
$phase_secs{'5 no folding'} = time - $t0;
$phase_ops{'5 no folding'} = total_ops(@names) - $before;
sync_mesh() or give_up('without folding: subscriptions catch up');
ok(all_identical(), 'without folding: all nodes identical');

build_model();

my %pending;
foreach my $n (@names)
{
	$pending{$n} = $node{$n}->safe_psql('postgres', 'SELECT count(*) FROM page_likes');
	cmp_ok($pending{$n}, '>', 0, "node $n: $pending{$n} rows pending before the final fold");
	check_model($n, 'rows pending');
	check_counts($n, 'rows pending');
	check_contains($n, 'rows pending');
}

my %final_fold;
foreach my $n (@names)
{
	$final_fold{$n} = $node{$n}->safe_psql('postgres', "SELECT likeset_fold('page_likes')");
	is($node{$n}->safe_psql('postgres', 'SELECT count(*) FROM page_likes'),
		'0', "node $n: nothing pending after the final fold ($final_fold{$n} rows folded)");
	check_model($n, 'folded');
	check_counts($n, 'folded');
	check_contains($n, 'folded');
}
ok(all_identical(), 'folded: all nodes identical');

# Each node's parts and heads (node-local, so they may differ between
# nodes): the parts of a key tile the hash space from 0, each holds only
# entries of its hash range and at most part_max of them, and the head's
# counts are the parts' sums
foreach my $n (@names)
{
	my $bad = $node{$n}->safe_psql(
		'postgres', qq{
WITH p AS (SELECT key, lo, part,
                  lead(lo, 1, 4294967296) OVER (PARTITION BY key ORDER BY lo) AS hi,
                  row_number() OVER (PARTITION BY key ORDER BY lo) AS i
             FROM page_likes_part),
     s AS (SELECT key, sum(likeset_count(part)) AS present, sum(likeset_nentries(part)) AS entries,
                  count(*) AS parts FROM p GROUP BY key)
SELECT 'part ' || key || '/' || lo || ' does not fit its range' FROM p
 WHERE likeset_hash_range(part, lo, hi) <> part OR (i = 1 AND lo <> 0)
UNION ALL
SELECT 'part ' || key || '/' || lo || ' has ' || likeset_nentries(part) || ' entries' FROM p
 WHERE likeset_nentries(part) > $part_max
UNION ALL
SELECT 'head ' || coalesce(h.key, s.key) || ' disagrees with its parts'
  FROM page_likes_head h FULL JOIN s ON s.key = h.key
 WHERE (h.present, h.entries, h.parts) IS DISTINCT FROM (s.present, s.entries, s.parts)});
	is($bad, '', "node $n: parts tile the hash space and the heads count them");
	my $viral_head = $node{$n}->safe_psql('postgres',
		"SELECT present || ' present, ' || entries || ' entries in ' || parts || ' parts' FROM page_likes_head WHERE key = $viral"
	);
	diag "node $n: viral page $viral: $viral_head";
}

cmp_ok($model_count{$viral}, '>', 2000,
	"the viral page has thousands of likes ($model_count{$viral})");
cmp_ok($nops, '>', 5000, "the model has $nops operations");

foreach my $phase (sort keys %phase_ops)
{
	diag sprintf("phase %s: %d operations in %.1f s",
		$phase, $phase_ops{$phase}, $phase_secs{$phase});
}
my $entries = 0;
$entries += scalar(keys %{ $model{$_} // {} }) foreach @all_pages;
diag "model: $nops operations, $entries entries, "
  . join(', ', map { "page $_: $model_count{$_} present" } @all_pages);
diag sprintf("heal to convergence: %.2f s", $heal_secs);
foreach my $n (@names)
{
	diag sprintf(
		"node %s: folding loop folded %d rows in %d folds (longest %.1f ms); %d rows pending before the final fold",
		$n, $fold_stats{$n}{rows}, $fold_stats{$n}{folds}, $fold_stats{$n}{max_ms},
		$pending{$n});
}


#
# Idle: the folders run again, nobody writes.  The WAL insert position and
# the row counters (inserts, updates, deletes) of the log, part and head
# tables must stand still: an echo that kept looping would insert log rows,
# and the folders would fold them.  The counters must not move at all.  WAL
# may grow by a few bytes: the background writer logs a running-xacts
# record (about 50-100 bytes) at most every 15 s after activity, and a
# checkpoint record is about as small; 4 kB allows for that and is less
# than a few dozen log rows with their index entries.  (A folding loop
# runs in one DO statement, so its own row counters reach the statistics
# only when it ends; what it would write shows in WAL.)
#
start_folder($_) foreach @names;
my $counters = q{SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables
	WHERE relname IN ('page_likes', 'page_likes_part', 'page_likes_head')};
my $sample = "SELECT pg_current_wal_insert_lsn(), ($counters)";
# Apply workers report their counts to the statistics up to about a second
# late, and the first scans after the final fold may prune pages: wait until
# every node's counters and WAL position stand still for 1.5 s (an echo
# storm never lets them), then take the first sample.
my $samples = join ',', map { $node{$_}->safe_psql('postgres', $sample) } @names;
for (1 .. 20)
{
	usleep(1_500_000);
	my $now = join ',', map { $node{$_}->safe_psql('postgres', $sample) } @names;
	last if $now eq $samples;
	$samples = $now;
}
my %s1;
$s1{$_} = $node{$_}->safe_psql('postgres', $sample) foreach @names;
my $idle = time;
usleep(5_000_000);
my %s2;
$s2{$_} = $node{$_}->safe_psql('postgres', $sample) foreach @names;
my $idle_secs = time - $idle;
foreach my $n (@names)
{
	my ($lsn1, $tup1) = split /\|/, $s1{$n};
	my ($lsn2, $tup2) = split /\|/, $s2{$n};
	my $grew = $node{$n}->safe_psql('postgres', "SELECT pg_wal_lsn_diff('$lsn2', '$lsn1')");
	cmp_ok($grew, '<', 4096,
		sprintf("node %s: WAL grew %s bytes in %.1f s idle", $n, $grew, $idle_secs));
	is($tup2 - $tup1, 0,
		"node $n: no rows of page_likes, its parts or heads written while idle");
}
stop_folder($_) foreach @names;
check_logs();
diag sprintf("total run time: %.0f s", time - $test_start);

done_testing();
