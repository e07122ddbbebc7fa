#
# The apply worker keeps the plans of the replica triggers (the merge
# trigger of likeset_replicate and the log table's trigger) for as long as
# it runs.  ALTER TABLE on the subscriber, while that worker lives, must
# drop them: the next replicated rows merge with statements that know the
# table as it is now, without an apply error and without a restart of the
# worker.
#
# a publishes a table with a likeset column (all operations) and a log
# table (inserts); b subscribes.  b's table has a column of its own, which
# a stale statement would still name after it is dropped.
#
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use LikesetMesh;

my %node;
foreach my $n (qw(a b))
{
	my $node = PostgreSQL::Test::Cluster->new("plan_$n");
	$node->init(allows_streaming => 'logical');
	$node->append_conf('postgresql.conf', "wal_retrieve_retry_interval = '200ms'\n");
	$node->start;
	$node->safe_psql(
		'postgres', q{
		CREATE EXTENSION likeset;
		CREATE TABLE pages (id bigint PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}', title text);
		SELECT likeset_replicate('pages');
		SELECT likeset_create_log('page_likes', 'bigint');
	});
	$node{$n} = $node;
}
$node{b}->safe_psql('postgres', 'ALTER TABLE pages ADD COLUMN local_only int DEFAULT 1');
$node{a}->safe_psql(
	'postgres', q{
	CREATE PUBLICATION pub_pages FOR TABLE pages;
	CREATE PUBLICATION pub_log FOR TABLE page_likes (key, element, ts, removed) WITH (publish = 'insert');
});
$node{b}->safe_psql('postgres',
	    "CREATE SUBSCRIPTION b_from_a CONNECTION '"
	  . $node{a}->connstr
	  . " dbname=postgres' PUBLICATION pub_pages, pub_log WITH (copy_data = false)");
ok(mesh_wait_workers($node{b}, 1), 'the apply worker runs');

# b already has pages 1 and 2, so a's inserts of them go through the merge
# of the insert path (select, update); page 3 through its insert
$node{b}->safe_psql('postgres',
	q{INSERT INTO pages (id, likes) VALUES (1, '{b1@2024-01-01T00:00:00Z}'), (2, '{b2@2024-01-01T00:00:00Z}')});

# one round of everything the triggers do; the words tell rounds apart
sub round
{
	my ($r) = @_;
	$node{a}->safe_psql(
		'postgres', qq{
		INSERT INTO pages (id, likes, title) VALUES
			(1, likeset_add('{}', 'a$r', '2024-02-0$r 00:00Z'), 't$r'),
			(2, likeset_add('{}', 'a$r', '2024-02-0$r 00:00Z'), 't$r')
			ON CONFLICT (id) DO UPDATE SET likes = excluded.likes + 'x$r', title = excluded.title;
		INSERT INTO pages (id, likes) VALUES (10 + $r, '{new$r}');
		SELECT likeset_like('page_likes', 1, 'l$r', '2024-02-0$r 00:00Z');
		SELECT likeset_like('page_likes', 1, 'l$r', '2024-02-0$r 00:00Z');	-- not stored: no newer
		SELECT likeset_unlike('page_likes', 2, 'l$r');
	});
	return mesh_wait_applied($node{a}, 'a', $node{b}, 'b', 0);
}

ok(round(1), 'round 1 applied');
my $pid = $node{b}->safe_psql('postgres', q{SELECT pid FROM pg_stat_subscription WHERE subname = 'b_from_a'});
# a log row that b already has is dropped by the trigger, so echoes die
$node{b}->safe_psql('postgres', q{SELECT likeset_like('page_likes', 1, 'l2', '2024-03-01 00:00Z')});

# the subscriber's tables change under the living worker
$node{b}->safe_psql(
	'postgres', q{
	ALTER TABLE pages DROP COLUMN local_only;
	ALTER TABLE pages ADD COLUMN added int DEFAULT 7;
	ALTER TABLE page_likes ADD COLUMN note text;
});
ok(round(2), 'round 2 applied after ALTER TABLE on the subscriber');
$node{b}->safe_psql(
	'postgres', q{
	ALTER TABLE page_likes DROP COLUMN note;
	ALTER TABLE pages RENAME CONSTRAINT pages_pkey TO pages_key;
	ALTER TABLE pages ADD COLUMN later text;
});
ok(round(3), 'round 3 applied after more ALTER TABLE');
is($node{b}->safe_psql('postgres', q{SELECT pid FROM pg_stat_subscription WHERE subname = 'b_from_a'}),
	$pid, 'the same apply worker applied every round (its plans were dropped, not the worker)');
is(mesh_apply_errors($node{b}), 0, 'no apply error');

is( $node{b}->safe_psql(
		'postgres', q{
		SELECT id, title, added, string_agg(e, ',' ORDER BY e)
		FROM pages, likeset_elements(likes) e GROUP BY id, title, added ORDER BY id}),
	join("\n",
		'1|t3|7|a1,a2,a3,b1,x2,x3', '2|t3|7|a1,a2,a3,b2,x2,x3',
		'11||7|new1', '12||7|new2', '13||7|new3'),
	'pages on b: both sides merged, columns as b has them now');
# a's first upsert of pages 1 and 2 was a plain insert there (x1 never
# existed); later ones replaced a's value with {a_r, x_r}, merged on b
is( $node{b}->safe_psql(
		'postgres', q{
		SELECT key, element, removed FROM page_likes ORDER BY key, element, ts}),
	join("\n", '1|l1|f', '1|l2|f', '1|l3|f', '2|l1|t', '2|l2|t', '2|l3|t'),
	'log on b: one row per operation; the repeated like was not stored, nor a\'s older l2');
is($node{b}->safe_psql('postgres', q{SELECT ts = '2024-03-01 00:00Z' FROM page_likes WHERE key = 1 AND element = 'l2'}),
	't', "the l2 on b is b's own later like");
is($node{b}->safe_psql('postgres', q{SELECT likeset_count('page_likes', 1), likeset_count('page_likes', 2)}),
	'3|0', 'counts on b');
mesh_check_logs({ b => $node{b} });

$node{$_}->stop for qw(a b);
done_testing();
