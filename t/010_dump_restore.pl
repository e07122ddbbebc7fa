# Data moves between majors: a pg_dump made on PostgreSQL 15, and a binary
# COPY of the value table made there (t/fixtures, remade with
# t/fixtures/make_pg15_dump.sh), load on the major under test (15, 17 and
# 18 in make matrix) with the same states: likeset_digest of every value
# and of every log key, counts, the stored horizon of a version 2 value.
# The log table's local_xid and fold_xmin come from the other cluster; its
# counts must stay right, and it must keep working (like, fold).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $fixtures = abs_path(dirname(__FILE__)) . '/fixtures';
my $node = PostgreSQL::Test::Cluster->new('restore');
$node->init;
$node->start;
my $major = $node->safe_psql('postgres', 'SHOW server_version_num') / 10000;
note "restoring a PostgreSQL 15 dump on PostgreSQL " . int($major);

$node->safe_psql('postgres', 'CREATE DATABASE restored');
my ($rc, $out, $err) = $node->psql('restored', undef,
	extra_params => [ '-v', 'ON_ERROR_STOP=1', '-f', "$fixtures/pg15_dump.sql" ]);
is($rc, 0, 'the PostgreSQL 15 dump restores without an error') or diag $err;

# every value, and every log key, as 15 saw it
is( $node->safe_psql(
		'restored', q{
		SELECT count(*) FROM fixture_digests d
		WHERE d.tbl = 'pages' AND d.digest IS DISTINCT FROM
			(SELECT likeset_digest(p.likes) FROM pages p WHERE p.id = d.key)}),
	'0', 'value layout: every digest as on 15');
is($node->safe_psql('restored', q{SELECT count(*) FROM fixture_digests WHERE tbl = 'pages'}),
	'6', 'value layout: six values compared');
is( $node->safe_psql(
		'restored', q{
		SELECT count(*) FROM fixture_digests d
		WHERE d.tbl = 'page_likes'
		  AND (d.digest IS DISTINCT FROM likeset_digest('page_likes', d.key)
			   OR d.n IS DISTINCT FROM likeset_count('page_likes', d.key))}),
	'0', 'log layout: every key\'s digest and count as on 15');
is( $node->safe_psql(
		'restored', q{
		SELECT likeset_horizon(likes) = (SELECT horizon FROM fixture_digests WHERE tbl = 'pages' AND key = 2)
		   AND likeset_horizon(likes) IS NOT NULL
		FROM pages WHERE id = 2}),
	't', 'the version 2 value keeps its horizon');
is( $node->safe_psql('restored', q{SELECT likeset_horizon(likes) IS NULL FROM pages WHERE id = 1}),
	't', 'a version 1 value has none');

# the restored log works: a like, a fold, and the counts still agree with
# the values (local_xid and fold_xmin came from the other cluster)
$node->safe_psql('restored', q{SELECT likeset_like('page_likes', 1::bigint, 'after-restore')});
is( $node->safe_psql(
		'restored', q{
		SELECT likeset_count('page_likes', 1::bigint) = (SELECT n + 1 FROM fixture_digests WHERE tbl = 'page_likes' AND key = 1)
		   AND likeset_count('page_likes', 1::bigint) = likeset_count(likeset_value('page_likes', 1::bigint))}),
	't', 'a like after the restore counts');
$node->safe_psql('restored', q{SELECT likeset_fold('page_likes')});
is( $node->safe_psql(
		'restored', q{
		SELECT bool_and(likeset_count('page_likes', k::bigint) = likeset_count(likeset_value('page_likes', k::bigint))
		                AND likeset_contains('page_likes', k::bigint, 'p1'))
		FROM generate_series(1, 3) k}),
	't', 'after a fold on this cluster, counts and members agree');
is($node->safe_psql('restored', q{SELECT count(*) FROM page_likes}), '0', 'the fold took every row');

# a binary COPY made on 15
$node->safe_psql('restored', q{CREATE TABLE pages_bin (id int, likes likeset, title text)});
($rc, $out, $err) = $node->psql('restored',
	"\\copy pages_bin FROM '$fixtures/pg15_pages.copy' WITH (FORMAT binary)");
is($rc, 0, 'a binary COPY made on 15 loads') or diag $err;
is( $node->safe_psql(
		'restored', q{
		SELECT count(*) FILTER (WHERE b.likes IS NOT DISTINCT FROM p.likes
		                          AND likeset_digest(b.likes) = likeset_digest(p.likes)
		                          AND likeset_horizon(b.likes) IS NOT DISTINCT FROM likeset_horizon(p.likes)),
		       count(*)
		FROM pages p JOIN pages_bin b USING (id)}),
	'6|6', 'every binary-copied value equals the restored one');

$node->stop;
done_testing();
