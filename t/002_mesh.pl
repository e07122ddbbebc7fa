# Three nodes in a full mesh of logical replication (each publishes pages
# and subscribes to the two others), all writing likes concurrently through
# a partition, a crash and a heal.  Checks that every node converges to the
# same states, that those states are exactly the last-writer-wins model of
# every committed operation, that no apply worker failed, and that WAL stops
# growing once the writers stop (no echo storm).
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

foreach my $n (@names)
{
	my $node = PostgreSQL::Test::Cluster->new("node_$n");
	$node->init(allows_streaming => 'logical');
	# Autovacuum is off because a VACUUM or ANALYZE in the idle window would
	# write WAL for reasons that have nothing to do with replication.
	# log_statement is off to keep thousands of pgbench statements out of
	# the logs (failing statements are still logged).
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
		'postgres', q{
CREATE EXTENSION likeset;
CREATE TABLE pages (page_id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
SELECT likeset_replicate('pages');
CREATE PUBLICATION pub FOR TABLE pages;
-- every committed operation, as applied here; local, not published
CREATE TABLE oplog (node text NOT NULL, page_id int NOT NULL, elem text NOT NULL,
					ts timestamptz NOT NULL, removed bool NOT NULL);
});
}

# Subscription "<subscriber>_from_<publisher>"; it is also the slot name on
# the publisher and the application_name wait_for_catchup looks for.
my @pairs = mesh_subscribe(\%node, \@names, 'pub', 'copy_data = false');    # [publisher, subscriber]

# Wait until each subscriber has applied everything its publishers wrote so
# far, in rounds: applying a change writes, and that write is sent on once.
# Returns false when a wait timed out (an apply worker keeps failing).
sub sync_pairs
{
	my ($rounds, @pairs_to_sync) = @_;
	foreach (1 .. $rounds)
	{
		foreach my $pair (@pairs_to_sync)
		{
			my ($p, $s) = @$pair;
			eval { $node{$p}->wait_for_catchup("${s}_from_$p"); 1 } or return 0;
		}
	}
	return 1;
}

sub sync_mesh
{
	my ($rounds) = @_;
	return sync_pairs($rounds, @pairs);
}

# No apply worker failed and nothing crashed (t/LikesetMesh.pm)
sub check_logs { mesh_check_logs(\%node); return; }

# Fail, show what the logs say, and stop (a wait timed out: the rest
# would only time out again)
sub give_up
{
	my ($why) = @_;
	fail($why);
	check_logs();
	done_testing();
	exit;
}

# The pages table of a node as text, one line per page
sub pages_of
{
	my ($n) = @_;
	return $node{$n}->safe_psql('postgres',
		'SELECT page_id, likes::text FROM pages ORDER BY 1');
}

sub all_identical
{
	my $first = pages_of($names[0]);
	foreach my $n (@names[ 1 .. $#names ])
	{
		return 0 if pages_of($n) ne $first;
	}
	return 1;
}

# The same keys inserted on every node: the replicated inserts of a key that
# exists merge into the local row instead of failing.  ON CONFLICT covers the
# other order (a replicated insert got here before the local one).
foreach my $n (@names)
{
	$node{$n}->safe_psql('postgres',
		"INSERT INTO pages (page_id) SELECT g FROM generate_series(1, 5) g ON CONFLICT DO NOTHING"
	);
}
sync_mesh(2) or give_up('setup: subscriptions catch up');
is(pages_of('a'), join("\n", map { "$_|{}" } 1 .. 5), 'five empty pages on node a');
ok(all_identical(), 'five empty pages on every node');

# One pgbench script per node.  Each transaction picks a page, a user and
# one of four operations: like or unlike at the default timestamp (the
# operators + and -; the entry that results is read back and logged), or
# like or unlike at an explicit timestamp up to 2 s in the past (logged as
# issued; it may be older than what the node holds and must then lose).
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my %script;
foreach my $n (@names)
{
	my $N = uc $n;
	my $default_op = sub {
		my ($op) = @_;
		return qq{WITH u AS (UPDATE pages SET likes = likes $op ('u' || :uid) WHERE page_id = :p RETURNING likes)
INSERT INTO oplog SELECT '$N', :p, x.element, x.ts, x.removed
  FROM u, likeset_entries(u.likes) x WHERE x.element = 'u' || :uid;
};
	};
	my $explicit_op = sub {
		my ($fn, $removed) = @_;
		return qq{BEGIN;
UPDATE pages SET likes = $fn(likes, 'u' || :uid, now() - :back * interval '1 microsecond')
  WHERE page_id = :p;
INSERT INTO oplog VALUES ('$N', :p, 'u' || :uid, now() - :back * interval '1 microsecond', $removed);
END;
};
	};
	$script{$n} = "$tempdir/ops_$n.sql";
	open my $fh, '>', $script{$n} or die "could not write $script{$n}: $!";
	print $fh "\\set p random(1, 5)\n\\set uid random(1, 30)\n"
	  . "\\set op random(0, 3)\n\\set back random(0, 2000000)\n"
	  . "\\if :op = 0\n"
	  . $default_op->('+')
	  . "\\elif :op = 1\n"
	  . $default_op->('-')
	  . "\\elif :op = 2\n"
	  . $explicit_op->('likeset_add', 'false')
	  . "\\else\n"
	  . $explicit_op->('likeset_remove', 'true')
	  . "\\endif\n";
	close $fh;
}

# Start pgbench on a node in the background: 2 clients, $tx transactions
# each, at about $rate transactions per second in all (so that the nodes
# really write at the same time, and a crash can happen mid-run)
sub start_pgbench
{
	my ($n, $tx, $rate) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'pgbench', '-n', '-h', $node{$n}->host, '-p', $node{$n}->port,
			'-c', '2', '-j', '2', '-t', $tx, '-R', $rate, "--random-seed=" . ($seed + ord($n)),
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

my (%phase_ops, %phase_secs);

# Phase 1: every node writes, the mesh is healthy
my $before = total_ops(@names);
my $t0 = time;
finish_pgbench(map { start_pgbench($_, 150, 200) } @names);
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
finish_pgbench(map { start_pgbench($_, 150, 200) } @names);
$phase_secs{'2 c partitioned'} = time - $t0;
$phase_ops{'2 c partitioned'} = total_ops(@names) - $before;

# a and b still replicate to each other, c is cut off both ways
sync_pairs(2, [ 'a', 'b' ], [ 'b', 'a' ])
  or give_up('partition: a and b catch up with each other');
is(pages_of('a'), pages_of('b'), 'partition: a and b converge');
isnt(pages_of('a'), pages_of('c'), 'partition: c diverges from a and b');

# Phase 3: crash b (immediate stop) while a and c write; restart it and
# write on all three again (c still partitioned)
$before = total_ops('a', 'c');
$t0 = time;
my @runs = map { start_pgbench($_, 200, 150) } ('a', 'c');
while (total_ops('a', 'c') - $before < 100 && time - $t0 < $PostgreSQL::Test::Utils::timeout_default)
{
	usleep(20_000);
}
$node{b}->stop('immediate');
my $at_crash = total_ops('a', 'c') - $before;
finish_pgbench(@runs);
$phase_secs{'3a b down'} = time - $t0;
my $phase3a = total_ops('a', 'c') - $before;
cmp_ok($at_crash, '<', $phase3a, 'b crashed while a and c were writing');
diag "phase 3: b crashed after $at_crash of $phase3a operations on a and c";
$phase_ops{'3a b down'} = $phase3a;

$node{b}->start;
$before = total_ops(@names);
$t0 = time;
finish_pgbench(map { start_pgbench($_, 100, 200) } @names);
$phase_secs{'3b b restarted'} = time - $t0;
$phase_ops{'3b b restarted'} = total_ops(@names) - $before;

# Phase 4: heal, then wait for the three nodes to return identical states
my $heal = time;
set_partition('ENABLE');
$t0 = time;
my $converged = 0;
while (time - $t0 < $PostgreSQL::Test::Utils::timeout_default)
{
	if (all_identical())
	{
		$converged = 1;
		last;
	}
	usleep(100_000);
}
my $heal_secs = time - $heal;
ok($converged, 'all nodes converge after the heal');
# With no writers, identical states cannot change any more (states only
# grow, and every change in flight is part of some node's state); check it
# once every subscription has caught up.
my $converged_state = pages_of('a');
sync_mesh(2) or give_up('after the heal: subscriptions catch up');
ok(all_identical(), 'all nodes identical after every subscription caught up');
is(pages_of('a'), $converged_state, 'states did not change after convergence');

foreach my $phase (sort keys %phase_ops)
{
	diag sprintf("phase %s: %d operations in %.1f s",
		$phase, $phase_ops{$phase}, $phase_secs{$phase});
}
diag "total: " . total_ops(@names) . " operations";
diag sprintf("heal to convergence: %.2f s", $heal_secs);

# The model: the oplogs of all nodes together; per page and element the
# greatest (timestamp, removed), a removal winning a tie.  Timestamps are
# compared as integer microseconds since the epoch.
my (%model, @ops);
foreach my $n (@names)
{
	my $rows = $node{$n}->safe_psql('postgres',
		"SELECT page_id, elem, (extract(epoch FROM ts) * 1000000)::bigint, removed FROM oplog"
	);
	foreach my $line (split /\n/, $rows)
	{
		my ($p, $e, $us, $rm) = split /\|/, $line;
		my $removed = $rm eq 't' ? 1 : 0;
		my $cur = $model{"$p|$e"};
		$model{"$p|$e"} = [ $us, $removed ]
		  if !defined $cur
		  || $us > $cur->[0]
		  || ($us == $cur->[0] && $removed > $cur->[1]);
		push @ops, [ "$p|$e", $us, $removed ];
	}
}
my $nops = scalar @ops;
cmp_ok($nops, '>', 2000, "the model has $nops operations");
my $superseded = grep {
	$model{ $_->[0] }[0] != $_->[1] || $model{ $_->[0] }[1] != $_->[2]
} @ops;
my $present = grep { !$_->[1] } values %model;
diag "model: $nops operations, $superseded of them superseded; "
  . scalar(keys %model) . " entries, $present present";

foreach my $n (@names)
{
	my $rows = $node{$n}->safe_psql('postgres',
		"SELECT page_id, x.element, (extract(epoch FROM x.ts) * 1000000)::bigint, x.removed
		   FROM pages, likeset_entries(likes) x ORDER BY 1, 2");
	my %got;
	foreach my $line (split /\n/, $rows)
	{
		my ($p, $e, $us, $rm) = split /\|/, $line;
		$got{"$p|$e"} = [ $us, $rm eq 't' ? 1 : 0 ];
	}
	my @diff;
	foreach my $k (sort(keys %{ { %model, %got } }))
	{
		my $fmt = sub {
			my ($v) = @_;
			return 'absent' unless defined $v;
			return sprintf('%s.%06dZ %s',
				strftime('%Y-%m-%dT%H:%M:%S', gmtime(int($v->[0] / 1_000_000))),
				$v->[0] % 1_000_000, $v->[1] ? 'removed' : 'present');
		};
		my ($g, $m) = ($got{$k}, $model{$k});
		push @diff, "page|element $k: got " . $fmt->($g) . ", expected " . $fmt->($m)
		  if !defined $g || !defined $m || $g->[0] != $m->[0] || $g->[1] != $m->[1];
	}
	is(scalar(@diff), 0,
		"node $n: every entry matches the model (" . scalar(keys %model) . " entries)")
	  or diag join("\n", @diff[ 0 .. ($#diff < 19 ? $#diff : 19) ]);
}

check_logs();

# WAL stops growing once idle.  Sample the WAL insert position and the
# write counters of pages, wait 5 s without writing, sample again.  An echo
# storm (changes bouncing between nodes) writes WAL and counts row writes
# continuously.  The counters must not move at all, which catches even a
# slow echo.  WAL may grow by a few bytes: the background writer logs a
# running-xacts record (about 50-100 bytes) at most every 15 s after
# activity, and a checkpoint record is about as small; 4 kB allows for that
# and is less than a dozen echoed row updates.  The sampling queries read
# only catalogs, the same ones both times, so they set no new hint bits
# (wal_log_hints is on, hint bits could otherwise be WAL-logged).
my $sample =
  "SELECT pg_current_wal_insert_lsn(), n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pages'";
# Apply workers report their row counts to the statistics up to about a
# second late: first wait until every node's count stands still (an echo
# storm never lets it), then take the first sample.
my $count_q = "SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pages'";
my $counts = join ',', map { $node{$_}->safe_psql('postgres', $count_q) } @names;
for (1 .. 20)
{
	usleep(1_500_000);
	my $now = join ',', map { $node{$_}->safe_psql('postgres', $count_q) } @names;
	last if $now eq $counts;
	$counts = $now;
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
	is($tup2 - $tup1, 0, "node $n: no rows of pages written while idle");
}

done_testing();
