# Two nodes that publish to and subscribe from each other with binary
# subscriptions (binary = true), so that likesets travel through
# likeset_send and likeset_recv.  Elements that need quoting or escaping
# in the text form, non-ASCII and empty elements, tombstones and equal
# timestamps, changed on both nodes while replication is paused, must
# converge to the same state, equal to a model of the operations, without
# apply errors.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Encode qw(encode_utf8);
use FindBin;
use lib $FindBin::RealBin;
use LikesetPair;

my $node_a = PostgreSQL::Test::Cluster->new('node_a');
my $node_b = PostgreSQL::Test::Cluster->new('node_b');
set_pair($node_a, $node_b);
start_likeset_node($_, extra => [ '--encoding=UTF8', '--locale=C' ])
  for ($node_a, $node_b);
$node_b->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub_b CONNECTION '"
	  . $node_a->connstr
	  . " dbname=postgres' PUBLICATION pub WITH (copy_data = false, binary = true)"
);
$node_a->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub_a CONNECTION '"
	  . $node_b->connstr
	  . " dbname=postgres' PUBLICATION pub WITH (copy_data = false, binary = true)"
);
$node_b->wait_for_subscription_sync($node_a, 'sub_b');
$node_a->wait_for_subscription_sync($node_b, 'sub_a');
is($node_a->safe_psql('postgres', 'SELECT subbinary FROM pg_subscription'),
	't', 'node_a subscribes in binary');
is($node_b->safe_psql('postgres', 'SELECT subbinary FROM pg_subscription'),
	't', 'node_b subscribes in binary');

my $rows_query = 'SELECT page_id, likes::text, title FROM pages ORDER BY 1';

# SQL literals
sub lit
{
	my ($s) = @_;
	$s =~ s/'/''/g;
	return "'" . encode_utf8($s) . "'";
}
my $t0 = 1767225600 * 1000000;    # 2026-01-01 00:00:00 UTC


# Statements that add or remove $elem on $page at $us, recorded in the model
sub op
{
	my ($page, $fn, $elem, $us) = @_;
	model_op($page, encode_utf8($elem), $us, $fn eq 'remove' ? 1 : 0);
	return
	    "UPDATE pages SET likes = likeset_$fn(likes, "
	  . lit($elem) . ', '
	  . ts_sql($us)
	  . ") WHERE page_id = $page;\n";
}

# Elements the text form must quote or escape, non-ASCII ones, the empty one
my @awkward = (
	"it's", 'say "hi"', 'a,b', '{brace}', 'back\\slash', 'x@y',
	'-dash', 'two words', '', "caf\x{e9}", "\x{65e5}\x{672c}", "\x{1F600}",
	"tab\there", 'NULL');
my $T1 = $t0 + 3600 * 1000000;
my $T2 = $T1 + 1;
my $T3 = $T1 + 2;

# Page 1, made on node_a, reaches node_b with every element intact
my $sql = "INSERT INTO pages VALUES (1, '{}', " . lit("caf\x{e9} \"1\"") . ");\n";
$sql .= op(1, 'add', $_, $T1) for @awkward;
$node_a->safe_psql('postgres', $sql);
check_converged('awkward elements made on node_a');

# Pause replication both ways, so that the nodes truly conflict
sub set_enabled
{
	my ($enabled) = @_;
	my $action = $enabled ? 'ENABLE' : 'DISABLE';
	$node_a->safe_psql('postgres', "ALTER SUBSCRIPTION sub_a $action");
	$node_b->safe_psql('postgres', "ALTER SUBSCRIPTION sub_b $action");
	my $want = $enabled ? 1 : 0;
	for my $node ($node_a, $node_b)
	{
		$node->poll_query_until('postgres',
			"SELECT count(*) = $want FROM pg_stat_replication")
		  or die "replication did not " . lc($action);
	}
	return;
}
set_enabled(0);

# Conflicts while paused, for every awkward element:
#  - node_a removes at T2 what node_b adds at T2: the remove wins the tie;
#  - node_b removes at T1 what node_a added at T1: the remove wins the tie;
#  - node_a removes at T2, node_b adds at T3: the later add wins;
#  - page 2 inserted on both nodes with the same key, then changed on both.
my ($sql_a, $sql_b) = ('', '');
for my $i (0 .. $#awkward)
{
	my $e = $awkward[$i];
	if ($i % 3 == 0)
	{
		$sql_a .= op(1, 'remove', $e, $T2);
		$sql_b .= op(1, 'add', $e, $T2);
	}
	elsif ($i % 3 == 1)
	{
		$sql_b .= op(1, 'remove', $e, $T1);
	}
	else
	{
		$sql_a .= op(1, 'remove', $e, $T2);
		$sql_b .= op(1, 'add', $e, $T3);
	}
}
$sql_a .= "INSERT INTO pages VALUES (2, '{}', 'two');\n";
$sql_b .= "INSERT INTO pages VALUES (2, '{}', 'two');\n";
for my $i (0 .. $#awkward)
{
	my $e = $awkward[$i];
	if ($i % 4 == 0)
	{
		$sql_a .= op(2, 'remove', $e, $T1);
		$sql_b .= op(2, 'add', $e, $T1);
	}
	elsif ($i % 4 == 1)
	{
		$sql_a .= op(2, 'add', $e, $T1);
		$sql_b .= op(2, 'remove', $e, $T1);
	}
	elsif ($i % 4 == 2)
	{
		$sql_a .= op(2, 'remove', $e, $T1);
		$sql_b .= op(2, 'add', $e, $T3);
	}
	else
	{
		$sql_a .= op(2, 'add', $e, $T1);
	}
}
$node_a->safe_psql('postgres', $sql_a);
$node_b->safe_psql('postgres', $sql_b);

# default-timestamp operations on both nodes, read back where they were made
for my $n ('a', 'b')
{
	my $node = $n eq 'a' ? $node_a : $node_b;
	for my $i (0 .. 3)
	{
		my $e = $awkward[ ($n eq 'a' ? 0 : 7) + $i ];
		my $fn = $i % 2 ? 'remove' : 'add';
		my $us = $node->safe_psql('postgres',
			    "UPDATE pages SET likes = likeset_$fn(likes, "
			  . lit($e)
			  . ") WHERE page_id = 2 RETURNING "
			  . "(SELECT (extract(epoch FROM e.ts) * 1000000)::bigint FROM likeset_entries(likes) e WHERE e.element = "
			  . lit($e) . ')');
		model_op(2, encode_utf8($e), $us, $fn eq 'remove' ? 1 : 0);
	}
}
isnt($node_a->safe_psql('postgres', $rows_query),
	$node_b->safe_psql('postgres', $rows_query),
	'while paused the nodes differ');

set_enabled(1);
check_converged('conflicts made while paused');

# The states read back through text on both nodes equal the stored ones
for my $node ($node_a, $node_b)
{
	is( $node->safe_psql(
			'postgres',
			'SELECT bool_and(likes::text::likeset = likes) FROM pages'),
		't',
		$node->name . ': text round trip of the merged states');
}
is( $node_a->safe_psql(
		'postgres',
		'SELECT likeset_count(likes) || \'/\' || (SELECT count(*) FROM likeset_entries(likes)) FROM pages WHERE page_id = 1'
	),
	(scalar grep { !$_->[1] } values %{ $model{1} }) . '/'
	  . scalar(keys %{ $model{1} }),
	'page 1: present elements and tombstones as the model says');

# Values stored in format version 1, as likeset 1.3 and before wrote them,
# beside the version 3 ones this library writes: a type that shares
# likeset's bytes (as sql/upgrade.sql does) stores an image built here from
# the documented layout.  Both nodes insert page 3 as the same version 1
# image while paused, then change it; the values travel through
# likeset_send and likeset_recv and merge with the other node's.
sub v1_image
{
	my (@entries) = @_;    # [ element bytes, us since 1970, removed ], any order
	@entries = sort { $a->[0] cmp $b->[0] } @entries;
	my $pg_epoch = 946684800 * 1000000;
	my ($maxts, $npresent, $end, $ends, $data, $ts) = (undef, 0, 0, '', '', '');
	for my $e (@entries)
	{
		my $us = $e->[1] - $pg_epoch;
		$maxts = $us if !defined $maxts || $us > $maxts;
		$npresent++ if !$e->[2];
		$end += length($e->[0]);
		$ts .= pack('q', $us);
		$ends .= pack('L', $end | ($e->[2] ? 0x80000000 : 0));
		$data .= $e->[0];
	}
	# version, flags, reserved, nentries, npresent, maxts, horizon (none)
	my $hdr = pack('CCSLLqq', 1, 0, 0, scalar(@entries), $npresent, $maxts,
		-9223372036854775807 - 1);
	return "'\\x" . unpack('H*', $hdr . $ts . $ends . $data) . "'::likeset_image::likeset";
}
my @old = ([ 'old1', $T1, 0 ], [ 'old2', $T1, 1 ], [ "caf\xc3\xa9", $T1, 0 ]);
model_op(3, $_->[0], $_->[1], $_->[2]) for @old;
for my $node ($node_a, $node_b)
{
	$node->safe_psql(
		'postgres', q{
		CREATE FUNCTION likeset_image_in(cstring) RETURNS likeset_image
			AS 'byteain' LANGUAGE internal IMMUTABLE STRICT;
		CREATE FUNCTION likeset_image_out(likeset_image) RETURNS cstring
			AS 'byteaout' LANGUAGE internal IMMUTABLE STRICT;
		CREATE TYPE likeset_image (INPUT = likeset_image_in, OUTPUT = likeset_image_out,
			INTERNALLENGTH = variable, ALIGNMENT = double, STORAGE = plain);
		CREATE CAST (likeset_image AS likeset) WITHOUT FUNCTION;});
}
set_enabled(0);
for my $node ($node_a, $node_b)
{
	$node->safe_psql('postgres',
		'INSERT INTO pages VALUES (3, ' . v1_image(@old) . ", 'old')");
	is( $node->safe_psql(
			'postgres',
			'SELECT likeset_format_version(likes) || \' \' || likeset_count(likes) FROM pages WHERE page_id = 3'
		),
		'1 2',
		$node->name . ': page 3 stored in version 1, read as written');
}
# node_a removes old1 later; node_b adds old2 over its tombstone
$node_a->safe_psql('postgres', op(3, 'remove', 'old1', $T2));
$node_b->safe_psql('postgres', op(3, 'add', 'old2', $T3));
set_enabled(1);
check_converged('version 1 values changed on both nodes');
for my $node ($node_a, $node_b)
{
	is( $node->safe_psql(
			'postgres',
			'SELECT string_agg(DISTINCT likeset_format_version(likes)::text, \',\') FROM pages'),
		'3',
		$node->name . ': every value written since is in version 3');
}

# No apply errors, no worker restarts
for my $node ($node_a, $node_b)
{
	is( $node->safe_psql(
			'postgres',
			"SELECT apply_error_count || ',' || sync_error_count FROM pg_stat_subscription_stats"
		),
		'0,0',
		$node->name . ': apply worker reported no errors');
	my $log = slurp_file($node->logfile);
	unlike($log, qr/ERROR:/, $node->name . ': no ERROR in the log');
}

$node_a->stop;
$node_b->stop;
done_testing();
