# PostgreSQL 16 and later: a three-node mesh whose subscriptions use
# origin = none (each node applies only changes made on its publisher, never
# forwarded ones), every page's row created on every node first, as the
# README says.  All nodes write random likes and unlikes with explicit
# times at once, one link is cut and restored on the way; every node must
# end with the last-writer-wins model of all operations, with no apply
# error.  The same operations go to a log table too (likeset_like and
# likeset_unlike): its replica trigger skips its echo probes on such a
# subscription (an echo cannot arrive), so an operation that an earlier one
# beats goes in as a pending row; the reads and the fold must still give
# the model.  Skipped on 15, which has no origin option.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use LikesetMesh;

my @names = qw(a b c);
my %node;
foreach my $n (@names)
{
	my $node = PostgreSQL::Test::Cluster->new("onode_$n");
	$node->init(allows_streaming => 'logical');
	$node->append_conf(
		'postgresql.conf', qq{
max_worker_processes = 12
max_replication_slots = 10
max_wal_senders = 10
max_logical_replication_workers = 4
log_statement = none
});
	$node->start;
	$node{$n} = $node;
}
if ($node{a}->safe_psql('postgres', 'SHOW server_version_num') < 160000)
{
	$node{$_}->stop foreach @names;
	plan skip_all => 'the subscription option origin came in PostgreSQL 16';
}

foreach my $n (@names)
{
	$node{$n}->safe_psql(
		'postgres', qq{
CREATE EXTENSION likeset;
CREATE TABLE pages (page_id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
SELECT likeset_replicate('pages');
INSERT INTO pages SELECT g FROM generate_series(1, 5) g;   -- on every node first
CREATE PUBLICATION pub FOR TABLE pages;
SELECT likeset_create_log('page_likes', 'int');
CREATE PUBLICATION publog FOR TABLE page_likes (key, element, ts, removed) WITH (publish = 'insert');
CREATE TABLE oplog (page_id int, elem text, ts timestamptz, removed bool);
CREATE PROCEDURE writer(n int) LANGUAGE plpgsql AS \$\$
DECLARE p int; e text; r bool; t timestamptz;
BEGIN
	FOR i IN 1 .. n LOOP
		p := 1 + floor(random() * 5)::int;
		e := 'u' || floor(random() * 15)::int;
		r := random() < 0.4;
		-- explicit times, a few of them equal across nodes (ties)
		t := '2026-01-01'::timestamptz + floor(random() * 400)::int * interval '1 ms';
		IF r THEN
			UPDATE pages SET likes = likeset_remove(likes, e, t) WHERE page_id = p;
			PERFORM likeset_unlike('page_likes', p, e, t);
		ELSE
			UPDATE pages SET likes = likeset_add(likes, e, t) WHERE page_id = p;
			PERFORM likeset_like('page_likes', p, e, t);
		END IF;
		INSERT INTO oplog VALUES (p, e, t, r);
		COMMIT;
	END LOOP;
END \$\$;
});
}
my @pairs = mesh_subscribe(\%node, \@names, 'pub, publog', 'copy_data = false, origin = none');    # [publisher, subscriber]
ok(mesh_wait_workers($node{$_}, 2), "node $_: both apply workers run") foreach @names;

# all three write at once; a's link from b is cut for the middle of it
my @bg = map { $node{$_}->background_psql('postgres') } @names;
$_->query_until(qr/started/, "\\echo started\nCALL writer(150);\n") foreach @bg;
$node{a}->safe_psql('postgres', 'ALTER SUBSCRIPTION a_from_b DISABLE');
$_->query_safe('CALL writer(150)') foreach @bg;
$node{a}->safe_psql('postgres', 'ALTER SUBSCRIPTION a_from_b ENABLE');
$_->query_safe('CALL writer(100)') foreach @bg;
$_->quit foreach @bg;
ok(mesh_wait_workers($node{a}, 2), 'node a: the re-enabled link runs again');
ok(mesh_sync_pairs(\%node, \@pairs, 1), 'every subscriber caught up with every publisher');

# the model: every node's operations, last writer wins per element
my $ops = join(",\n", map {
	my $n = $_;
	map { "($_)" } split /\n/, $node{$n}->safe_psql('postgres',
		q{SELECT format('%s, %L, %L::timestamptz, %L::boolean', page_id, elem, ts, removed) FROM oplog})
} @names);
is(scalar(split /\n/, $ops) > 0 ? 1 : 0, 1, 'operations recorded');
foreach my $n (@names)
{
	my $bad = $node{$n}->safe_psql(
		'postgres', qq{
		WITH ops(page_id, elem, ts, removed) AS (VALUES $ops),
		model AS (SELECT page_id, likeset_agg(elem, ts, removed) AS s FROM ops GROUP BY page_id)
		SELECT count(*) FROM pages p LEFT JOIN model m USING (page_id)
		WHERE p.likes <> coalesce(m.s, '{}')});
	is($bad, '0', "node $n: every page is the model of all operations");
}
# the log table: the model before and after a fold, on every node
foreach my $n (@names)
{
	foreach my $when ('pending', 'folded')
	{
		$node{$n}->safe_psql('postgres', "SELECT likeset_fold('page_likes')") if $when eq 'folded';
		my $bad = $node{$n}->safe_psql(
			'postgres', qq{
			WITH ops(page_id, elem, ts, removed) AS (VALUES $ops),
			model AS (SELECT page_id, likeset_agg(elem, ts, removed) AS s FROM ops GROUP BY page_id)
			SELECT count(*) FROM generate_series(1, 5) p(page_id) LEFT JOIN model m USING (page_id)
			WHERE likeset_value('page_likes', p.page_id) <> coalesce(m.s, '{}')
			   OR likeset_count('page_likes', p.page_id) <> likeset_count(coalesce(m.s, '{}'))});
		is($bad, '0', "node $n: the log table holds the model ($when)");
	}
}
# a late operation: b likes an element while cut off from a, which liked
# it later; on a, whose subscription to b has origin = none, the replica
# trigger does not probe for echoes, so the beaten like goes in as a
# pending row (a probing trigger would drop it), and the later like still
# decides everywhere
$node{b}->safe_psql('postgres', 'ALTER SUBSCRIPTION b_from_a DISABLE');
ok(mesh_wait_workers($node{b}, 1), 'node b: cut off from a');
$node{a}->safe_psql('postgres', "SELECT likeset_like('page_likes', 1, 'late', '2026-02-01 00:00:00+00')");
$node{b}->safe_psql('postgres', "SELECT likeset_like('page_likes', 1, 'late', '2026-01-15 00:00:00+00')");
$node{b}->safe_psql('postgres', 'ALTER SUBSCRIPTION b_from_a ENABLE');
ok(mesh_wait_workers($node{b}, 2), 'node b: the link from a runs again');
ok(mesh_sync_pairs(\%node, \@pairs, 1), 'both likes reached every node');
is($node{a}->safe_psql('postgres',
		"SELECT count(*) FROM page_likes WHERE key = 1 AND element = 'late' AND ts = '2026-01-15 00:00:00+00'"),
	'1', 'node a: the beaten like arrived as a pending row');
foreach my $n (@names)
{
	is($node{$n}->safe_psql('postgres', "SELECT likeset_entry(likeset_value('page_likes', 1), 'late')"),
		'("2026-02-01 00:00:00+00",f)', "node $n: the later like decides");
	is($node{$n}->safe_psql('postgres', "SELECT likeset_fold('page_likes') >= 0 AND likeset_contains('page_likes', 1, 'late')"),
		't', "node $n: and after a fold too");
}

my %digest = map {
	($_ => $node{$_}->safe_psql('postgres', 'SELECT string_agg(likeset_digest(likes), \',\' ORDER BY page_id) FROM pages'))
} @names;
is($digest{b}, $digest{a}, 'b agrees with a');
is($digest{c}, $digest{a}, 'c agrees with a');
mesh_check_logs(\%node);
$node{$_}->stop foreach @names;
done_testing();
