# Columns other than likesets on a replicated table: the later writer wins,
# by the row's write time (likeset_row_ts, which likeset_replicate adds and
# a trigger keeps on local writes), ties to the greater value, so two nodes
# that change the same row's title at once converge on the later title and
# fall quiet instead of swapping titles forever through echoes; likesets
# changed in the same transactions still merge.  Page 1's update on B is
# the first transaction B's apply worker applies after the link returns:
# until 1.3, the trigger read the incoming commit time from the apply
# worker's replication origin, which still held 0 there, and the earlier
# title won (t/008_later_writer.pl tests that case in both directions).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use FindBin;
use lib $FindBin::RealBin;
use LikesetPair qw(start_likeset_node);

my $node_a = PostgreSQL::Test::Cluster->new('node_a');
my $node_b = PostgreSQL::Test::Cluster->new('node_b');
start_likeset_node($_,
	conf => "autovacuum = off\nwal_retrieve_retry_interval = '200ms'\n")
  for ($node_a, $node_b);
$node_b->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub_b CONNECTION '" . $node_a->connstr . ' dbname=postgres'
	  . "' PUBLICATION pub WITH (copy_data = false)");
$node_a->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub_a CONNECTION '" . $node_b->connstr . ' dbname=postgres'
	  . "' PUBLICATION pub WITH (copy_data = false)");
$node_b->wait_for_subscription_sync($node_a, 'sub_b');
$node_a->wait_for_subscription_sync($node_b, 'sub_a');

my $rows = 'SELECT page_id, likes::text, title FROM pages ORDER BY 1';

# Catch up both ways, echoes included, until a round writes nothing
sub settle
{
	for my $round (1 .. 20)
	{
		my ($la, $lb) = ($node_a->lsn('insert'), $node_b->lsn('insert'));
		$node_a->wait_for_catchup('sub_b');
		$node_b->wait_for_catchup('sub_a');
		return 1 if $node_a->lsn('insert') eq $la && $node_b->lsn('insert') eq $lb;
	}
	return 0;
}

sub set_enabled
{
	my ($on) = @_;
	my $action = $on ? 'ENABLE' : 'DISABLE';
	$node_a->safe_psql('postgres', "ALTER SUBSCRIPTION sub_a $action");
	$node_b->safe_psql('postgres', "ALTER SUBSCRIPTION sub_b $action");
	for my $node ($node_a, $node_b)
	{
		$node->poll_query_until('postgres',
			'SELECT count(*) = ' . ($on ? 1 : 0) . ' FROM pg_stat_replication')
		  or die "replication did not $action";
	}
}

$node_a->safe_psql('postgres', "INSERT INTO pages VALUES (1, '{}', 'first'), (2, '{}', 'second')");
ok(settle(), 'rows reach both nodes');

# Cut the link, change the same rows on both sides, the later commit on B
set_enabled(0);
$node_a->safe_psql('postgres',
	"UPDATE pages SET title = 'from a', likes = likeset_add(likes, 'ann', '2026-01-01 10:00+00') WHERE page_id = 1");
my $a_wrote = $node_a->safe_psql('postgres',
	"UPDATE pages SET title = 'from a' WHERE page_id = 2 RETURNING likeset_row_ts");
# B writes later: poll its clock past A's last write (one machine, one clock)
$node_b->poll_query_until('postgres', "SELECT clock_timestamp() > '$a_wrote'")
  or die 'the clock does not move';
$node_b->safe_psql('postgres',
	"UPDATE pages SET title = 'from b', likes = likeset_add(likes, 'bob', '2026-01-01 09:00+00') WHERE page_id = 1");
$node_b->safe_psql('postgres', "UPDATE pages SET title = 'from b' WHERE page_id = 2");
set_enabled(1);

ok(settle(), 'concurrent title changes settle (no endless echo)');
my $ra = $node_a->safe_psql('postgres', $rows);
is($node_b->safe_psql('postgres', $rows), $ra, 'both nodes hold the same rows');
is( $ra,
	"1|{ann\@2026-01-01T10:00:00Z,bob\@2026-01-01T09:00:00Z}|from b\n2|{}|from b",
	'the later title wins and the likes of both sides are kept')
  or diag $ra;

# Idle: nothing more is written on either node.  Apply workers report
# their row counts to pg_stat_user_tables up to about a second late, so
# wait until the counts stand still (an endless echo never lets them),
# then watch counts and WAL for 3 s.
my $writes = q{SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pages'};

sub settled_writes
{
	my ($node) = @_;
	my $prev = $node->safe_psql('postgres', $writes);
	for (1 .. 20)
	{
		usleep(1_500_000);
		my $cur = $node->safe_psql('postgres', $writes);
		return $cur if $cur eq $prev;
		$prev = $cur;
	}
	return 'still changing';
}
my ($wa, $wb) = (settled_writes($node_a), settled_writes($node_b));
my ($la, $lb) = ($node_a->lsn('insert'), $node_b->lsn('insert'));
sleep 3;
is($node_a->safe_psql('postgres', $writes), $wa, 'node_a writes no more rows when idle');
is($node_b->safe_psql('postgres', $writes), $wb, 'node_b writes no more rows when idle');
cmp_ok($node_a->safe_psql('postgres', "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$la')"),
	'<', 4096, 'node_a WAL stops growing (allowing a running-xacts record)');
cmp_ok($node_b->safe_psql('postgres', "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lb')"),
	'<', 4096, 'node_b WAL stops growing (allowing a running-xacts record)');

for my $node ($node_a, $node_b)
{
	is($node->safe_psql('postgres',
			'SELECT sum(apply_error_count + sync_error_count) FROM pg_stat_subscription_stats'),
		'0', $node->name . ': no apply errors');
}

$node_a->stop;
$node_b->stop;
done_testing();
