# Two peers' compaction rounds applied at once on a third node.
#
# Nodes a and b hold the same four rows, written in opposite orders, so
# that their heaps hold them as 1, 2, 3, 4 and 4, 3, 2, 1; node c
# subscribes to both.  On c a session holds rows 2 and 3 while a and b
# each run a compaction round that rewrites all four rows, so that c's two
# apply workers queue behind the session.  Then the session lets go.
#
# Had each round rewritten its rows in its own heap order, c's worker for a
# would hold row 2 and want row 3 while the worker for b held row 3 and
# wanted row 2: the deadlock detector cancels one of them (an apply error,
# and its subscription stops until the worker restarts).  Rounds rewrite
# rows in key order, the same on every node, so one worker waits for the
# other instead.  (t/007 met this deadlock by chance, once in many runs;
# here it is certain for rounds in heap order.)
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LikesetPair qw(start_likeset_node);
use LikesetMesh;

my %node = map { ($_ => PostgreSQL::Test::Cluster->new("order_$_")) } qw(a b c);
start_likeset_node($node{$_}) foreach qw(a b c);

my $value = q{'{x@2020-01-01T00:00:00Z,-y@2020-02-01T00:00:00Z}'};
my %order = (a => '1, 2, 3, 4', b => '4, 3, 2, 1', c => '1, 2, 3, 4');
foreach my $n (qw(a b c))
{
	$node{$n}->safe_psql('postgres',
		"INSERT INTO pages (page_id, likes) SELECT k, $value FROM unnest(ARRAY[$order{$n}]) k");
	is($node{$n}->safe_psql('postgres', "SELECT string_agg(page_id::text, ', ' ORDER BY ctid) FROM pages"),
		$order{$n}, "node $n: the heap holds the rows as $order{$n}");
}
foreach my $p (qw(a b))
{
	my $connstr = $node{$p}->connstr . ' dbname=postgres';
	$node{c}->safe_psql('postgres',
		"CREATE SUBSCRIPTION c_from_$p CONNECTION '$connstr' PUBLICATION pub WITH (copy_data = false)");
}
my @pairs = ([ 'a', 'c' ], [ 'b', 'c' ]);
ok(mesh_wait_workers($node{c}, 2), 'node c: both apply workers run');
ok(mesh_sync_pairs(\%node, \@pairs, 1), 'node c: caught up with a and b');

# a session on c holds rows 2 and 3
my $holder = $node{c}->background_psql('postgres');
$holder->query_safe('BEGIN');
$holder->query_safe('SELECT page_id FROM pages WHERE page_id IN (2, 3) FOR UPDATE');

# a round on a, then one on b, each rewriting all four rows
foreach my $p (qw(a b))
{
	is($node{$p}->safe_psql('postgres', "SELECT likeset_compact_table('pages', '2020-06-01 00:00:00+00')"),
		'4', "node $p: a compaction round rewrote the four rows");
}
# both of c's apply workers wait for a row lock: the one for a behind the
# session (row 2), the one for b behind the session (row 3, rounds in heap
# order) or behind the worker for a (row 1, rounds in key order)
ok( $node{c}->poll_query_until(
		'postgres', q{
		SELECT count(*) = 2 FROM pg_stat_activity
		WHERE backend_type LIKE 'logical replication%worker' AND wait_event_type = 'Lock'}),
	'node c: both apply workers wait for a row lock');
$holder->query_safe('COMMIT');
$holder->quit;

ok(mesh_sync_pairs(\%node, \@pairs, 1), 'node c: applied both rounds');
is(mesh_apply_errors($node{c}), '0', 'node c: no apply error');
is(scalar(grep { /deadlock detected/ } split /\n/, slurp_file($node{c}->logfile)),
	0, 'node c: no deadlock');
is($node{c}->safe_psql('postgres',
		"SELECT count(*) FROM pages WHERE likeset_horizon(likes) IS NOT NULL AND likes::text = likeset_compact($value, '2020-06-01 00:00:00+00')::text"),
	'4', 'node c: the four rows hold the compacted value');
mesh_check_logs(\%node);

$node{$_}->stop foreach qw(a b c);
done_testing();
