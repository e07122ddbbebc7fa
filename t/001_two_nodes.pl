# Two nodes that publish to and subscribe from each other (PostgreSQL 15,
# no origin filtering: every applied change is sent back once), with
# likeset_replicate() on both.  Concurrent conflicting likes and unlikes on
# both nodes, and rows inserted with the same key on both nodes, must end
# identical on both nodes and equal to a model of the operations; the
# apply workers never fail; the echo of each change dies out, so WAL stops
# growing once the nodes are idle.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use FindBin;
use lib $FindBin::RealBin;
use LikesetPair;

my $node_a = PostgreSQL::Test::Cluster->new('node_a');
my $node_b = PostgreSQL::Test::Cluster->new('node_b');
set_pair($node_a, $node_b);
# no autovacuum: idle WAL must measure replication alone
start_likeset_node($_, conf => "autovacuum = off\n") for ($node_a, $node_b);

# each node subscribes to the other; the subscription's name is the
# application_name the publisher sees
$node_b->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub_b CONNECTION '"
	  . $node_a->connstr
	  . " dbname=postgres' PUBLICATION pub WITH (copy_data = false)");
$node_a->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub_a CONNECTION '"
	  . $node_b->connstr
	  . " dbname=postgres' PUBLICATION pub WITH (copy_data = false)");
$node_b->wait_for_subscription_sync($node_a, 'sub_b');
$node_a->wait_for_subscription_sync($node_b, 'sub_a');

# The apply workers' process ids: a worker that fails is restarted with a new one
my $apply_pid_query =
  "SELECT pid FROM pg_stat_subscription WHERE relid IS NULL AND pid IS NOT NULL";
my %apply_pid = (
	a => $node_a->safe_psql('postgres', $apply_pid_query),
	b => $node_b->safe_psql('postgres', $apply_pid_query));
ok($apply_pid{a} && $apply_pid{b}, 'both apply workers run');

# An explicit timestamp's base: microseconds since 1970
my $t0 = 1767225600 * 1000000;    # 2026-01-01 00:00:00 UTC

#
# Rows inserted on one node reach the other
#
my @initial;
for my $page (1 .. 6)
{
	my $us = $t0 + $page * 1000000;
	push @initial,
	  "($page, likeset_add('{}', 'seed$page', " . ts_sql($us) . "), 'page $page')";
	model_op($page, "seed$page", $us, 0);
}
$node_a->safe_psql('postgres',
	'INSERT INTO pages VALUES ' . join(', ', @initial));
check_converged('insert on node_a');

#
# The same key inserted on both nodes at once: each node's apply worker
# finds the key taken and merges.  Node_b's insert is still open when node_a
# commits, so node_b's apply worker waits on it inside
# INSERT ... ON CONFLICT DO NOTHING and must then merge into the row.
# The titles are equal: different concurrent values of a column that is
# not a likeset are not reconciled (each node takes the other's, and the
# echoes swap them forever).
#
my $bg_a = $node_a->background_psql('postgres');
my $bg_b = $node_b->background_psql('postgres');
$bg_a->query_safe('BEGIN');
$bg_a->query_safe(
	"INSERT INTO pages VALUES (100, '{ann\@2026-01-01T10:00:00Z,-bob\@2026-01-01T10:00:00Z}', 'both')"
);
$bg_b->query_safe('BEGIN');
$bg_b->query_safe(
	"INSERT INTO pages VALUES (100, '{bob\@2026-01-01T10:00:00Z,cat\@2026-01-01T10:00:00Z}', 'both')"
);
$bg_a->query_safe('COMMIT');
ok( $node_b->poll_query_until(
		'postgres', q{
		SELECT EXISTS (SELECT 1 FROM pg_stat_activity
		               -- 'logical replication worker' before 17, then
		               -- 'logical replication apply worker'
		               WHERE backend_type IN ('logical replication worker',
		                                      'logical replication apply worker')
		                 AND wait_event_type = 'Lock')}),
	'node_b apply worker waits for the local insert of the same key');
$bg_b->query_safe('COMMIT');
$bg_a->quit;
$bg_b->quit;
model_op(100, 'ann', $t0 + 36000 * 1000000, 0);
model_op(100, 'bob', $t0 + 36000 * 1000000, 1);
model_op(100, 'bob', $t0 + 36000 * 1000000, 0);
model_op(100, 'cat', $t0 + 36000 * 1000000, 0);
check_converged('same key inserted on both nodes');
is( $node_a->safe_psql('postgres',
		"SELECT likes::text FROM pages WHERE page_id = 100"),
	'{ann@2026-01-01T10:00:00Z,-bob@2026-01-01T10:00:00Z,cat@2026-01-01T10:00:00Z}',
	'the concurrent inserts merged, the tombstone winning the tie');

#
# Concurrent likes and unlikes on both nodes: one psql session per node
# runs its script at the same time as the other.  Explicit timestamps from
# a small pool, so that adds on one node and removes on the other often
# carry equal timestamps; default-timestamp operations, whose timestamp is
# read back from the row they wrote; upserts of new keys on both nodes.
#
srand(20261128);
my @elements = map { "u$_" } 0 .. 7;
my @pages = (1 .. 6, 100);
my @explicit_ts = map { $t0 + 3600 * 1000000 * $_ } 1 .. 3;

sub script
{
	my ($round, $n) = @_;
	my @sql;
	my @explicit;    # [page, element, us, removed] applied by this script
	my @defaults;    # [page, element, removed] with the default timestamp

	# ties first, so that they run at the same moment on both nodes: the
	# same timestamp, add on one node, remove on the other
	my $tie = $t0 + 7200 * 1000000 + $round;
	for my $page (1, 2)
	{
		my $remove = ($n eq 'a') == ($page == 1);
		push @sql,
		  sprintf("UPDATE pages SET likes = likeset_%s(likes, 'tie', %s) WHERE page_id = %d;",
			$remove ? 'remove' : 'add', ts_sql($tie), $page);
		push @explicit, [ $page, 'tie', $tie, $remove ? 1 : 0 ];
	}
	for my $i (1 .. 150)
	{
		my $page = $pages[ int(rand(@pages)) ];
		my $elem = $elements[ int(rand(@elements)) ];
		my $remove = rand() < 0.4 ? 1 : 0;
		my $fn = $remove ? 'likeset_remove' : 'likeset_add';
		my $kind = rand();
		if ($kind < 0.5)
		{
			my $us = $explicit_ts[ int(rand(@explicit_ts)) ];
			push @sql,
			  "UPDATE pages SET likes = $fn(likes, '$elem', "
			  . ts_sql($us)
			  . ") WHERE page_id = $page;";
			push @explicit, [ $page, $elem, $us, $remove ];
		}
		elsif ($kind < 0.9)
		{
			# the default timestamp: read back what was written
			push @sql,
			  "UPDATE pages SET likes = $fn(likes, '$elem') WHERE page_id = $page "
			  . "RETURNING page_id, "
			  . "(SELECT (extract(epoch FROM e.ts) * 1000000)::bigint FROM likeset_entries(likes) e WHERE e.element = '$elem'), "
			  . "(SELECT e.removed FROM likeset_entries(likes) e WHERE e.element = '$elem');";
			push @defaults, [ $page, $elem, $remove ];
		}
		else
		{
			# a new key, upserted on both nodes
			my $newpage = 200 + 10 * $round + int(rand(5));
			my $us = $explicit_ts[ int(rand(@explicit_ts)) ] + 1;
			push @sql,
			  "INSERT INTO pages VALUES ($newpage, $fn('{}', '$elem', "
			  . ts_sql($us)
			  . ")) ON CONFLICT (page_id) DO UPDATE SET likes = likeset_merge(pages.likes, excluded.likes);";
			push @explicit, [ $newpage, $elem, $us, $remove ];
		}
	}
	return (join("\n", @sql) . "\n", \@explicit, \@defaults);
}

my $tmp = PostgreSQL::Test::Utils::tempdir;
for my $round (1 .. 3)
{
	my %explicit;
	my %defaults;
	my %h;
	my %out;
	my %err;
	for my $n ('a', 'b')
	{
		my ($sql, $explicit, $defaults) = script($round, $n);
		$explicit{$n} = $explicit;
		$defaults{$n} = $defaults;
		my $file = "$tmp/round${round}_$n.sql";
		PostgreSQL::Test::Utils::append_to_file($file, $sql);
		my $node = $n eq 'a' ? $node_a : $node_b;
		$out{$n} = '';
		$err{$n} = '';
		$h{$n} = IPC::Run::start(
			[
				'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d',
				$node->connstr('postgres'), '-f', $file
			],
			'>', \$out{$n}, '2>', \$err{$n});
	}
	for my $n ('a', 'b')
	{
		ok($h{$n}->finish, "round $round: script on node_$n ran")
		  or diag($err{$n});
		is($err{$n}, '', "round $round: script on node_$n had no errors");
		model_op(@$_) for @{ $explicit{$n} };
	}

	# default-timestamp operations, in script order, with what they wrote:
	# each one's own entry, as it won on its node
	for my $n ('a', 'b')
	{
		my @got = split /\n/, $out{$n};
		my @ops = @{ $defaults{$n} };
		is(scalar(@got), scalar(@ops),
			"round $round: node_$n read back every default-timestamp operation");
		my $won = 0;
		for my $i (0 .. $#ops)
		{
			my ($page, $elem, $remove) = @{ $ops[$i] };
			my ($got_page, $us, $removed) = split /\|/, ($got[$i] // '');
			$won++ if $got_page eq $page && ($removed eq 't') == $remove;
			model_op($page, $elem, $us, $remove);
		}
		is($won, scalar(@ops),
			"round $round: node_$n default-timestamp operations each won locally");
	}
	check_converged("round $round of concurrent operations");
}

# The equal-timestamp pairs: the removes won on both nodes
is( $node_b->safe_psql(
		'postgres', q{
		SELECT string_agg(page_id || ':' || e.removed, ',' ORDER BY page_id)
		FROM pages, likeset_entries(likes) e
		WHERE e.element = 'tie' AND page_id IN (1, 2)}),
	'1:true,2:true',
	'an add and a remove with equal timestamps on two nodes: the remove wins');

#
# Apply workers never failed, and the echoes died out
#
sub check_apply_clean
{
	my ($what) = @_;
	for my $n ('a', 'b')
	{
		my $node = $n eq 'a' ? $node_a : $node_b;
		is( $node->safe_psql(
				'postgres',
				'SELECT apply_error_count || \',\' || sync_error_count FROM pg_stat_subscription_stats'
			),
			'0,0',
			"$what: node_$n apply worker reported no errors");
		is($node->safe_psql('postgres', $apply_pid_query),
			$apply_pid{$n}, "$what: node_$n apply worker never restarted");
		my $log = slurp_file($node->logfile);
		unlike($log, qr/ERROR:/, "$what: no ERROR in node_$n log");
		unlike(
			$log,
			qr/logical replication worker.*exited/,
			"$what: no apply worker exit in node_$n log");
	}
	return;
}
check_apply_clean('after the concurrent rounds');

# Idle nodes write no WAL and update no row: several windows of two seconds
# until one shows neither (statistics lag behind by up to a second)
sub idle_state
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		"SELECT pg_current_wal_insert_lsn(), (SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pages')"
	);
}

sub check_quiet
{
	my ($what) = @_;
	my $quiet = 0;
	for my $attempt (1 .. 10)
	{
		my ($lsn_a, $tup_a) = split /\|/, idle_state($node_a);
		my ($lsn_b, $tup_b) = split /\|/, idle_state($node_b);
		sleep 2;
		my ($lsn_a2, $tup_a2) = split /\|/, idle_state($node_a);
		my ($lsn_b2, $tup_b2) = split /\|/, idle_state($node_b);
		my $grew_a = $node_a->safe_psql('postgres',
			"SELECT pg_wal_lsn_diff('$lsn_a2', '$lsn_a')");
		my $grew_b = $node_b->safe_psql('postgres',
			"SELECT pg_wal_lsn_diff('$lsn_b2', '$lsn_b')");
		note "$what: WAL grew $grew_a / $grew_b bytes, rows written "
		  . ($tup_a2 - $tup_a) . " / "
		  . ($tup_b2 - $tup_b);
		if ($grew_a <= 256 && $grew_b <= 256 && $tup_a2 == $tup_a && $tup_b2 == $tup_b)
		{
			$quiet = 1;
			last;
		}
	}
	ok($quiet, "$what: idle nodes stop writing WAL and rows");
	return;
}
check_quiet('after the concurrent rounds');

#
# A large likeset, stored out of line (TOAST), unchanged by an UPDATE of
# the title: logical replication sends it as "unchanged", the apply worker
# fills in the local value, and the merge keeps it intact
#
$node_a->safe_psql(
	'postgres', q{
	UPDATE pages SET likes = likeset_merge(likes,
	    (SELECT likeset_agg('big' || i, timestamptz '2026-03-01 00:00:00+00' + i * interval '1 ms')
	     FROM generate_series(1, 20000) i))
	WHERE page_id = 5});
for my $i (1 .. 20000)
{
	model_op(5, "big$i", $t0 + (59 * 86400) * 1000000 + $i * 1000, 0);
}
check_converged('a large likeset');
cmp_ok(
	$node_a->safe_psql(
		'postgres', 'SELECT pg_column_size(likes) FROM pages WHERE page_id = 5'),
	'>', 8192, 'the large likeset is stored out of line');
my $big_md5 = $node_a->safe_psql('postgres',
	'SELECT md5(likes::text) FROM pages WHERE page_id = 5');
my $wal_b = $node_b->lsn('insert');
$node_a->safe_psql('postgres',
	"UPDATE pages SET title = 'page 5, renamed' WHERE page_id = 5");
check_converged('title-only update of a row with a large likeset');
my $present = grep { !$_->[1] } values %{ $model{5} };
is( $node_b->safe_psql(
		'postgres',
		'SELECT md5(likes::text), likeset_count(likes), title FROM pages WHERE page_id = 5'
	),
	"$big_md5|$present|page 5, renamed",
	'node_b: the title changed, the large likeset intact');
note 'WAL written on node_b for the title-only update and its echo: '
  . $node_b->safe_psql('postgres',
	"SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$wal_b')")
  . ' bytes';

#
# A replicated DELETE deletes the row on the other node.  Its tombstones go
# with it: the row is gone, not merged, and a change to the row made on the
# other node before the delete arrives is lost with it (an UPDATE that finds
# no row is skipped by the apply worker).
#
$node_b->safe_psql('postgres', 'DELETE FROM pages WHERE page_id = 6');
delete $model{6};
check_converged('a delete on node_b');
is($node_a->safe_psql('postgres', 'SELECT count(*) FROM pages WHERE page_id = 6'),
	'0', 'node_a: the deleted row is gone');

check_apply_clean('at the end');
check_quiet('at the end');

$node_a->stop;
$node_b->stop;
done_testing();
