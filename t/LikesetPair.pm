# t/LikesetPair.pm: what the two-node TAP tests share.  Two nodes named
# node_a and node_b subscribe to each other (subscriptions sub_a on node_a
# and sub_b on node_b); a model of the operations keeps, per page and
# element (hex of its bytes), the greatest (microseconds since 1970,
# removed); the nodes' table is pages(page_id, likes, title).
package LikesetPair;

use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use POSIX qw(strftime);
use Time::HiRes qw(usleep);
use Exporter 'import';

our @EXPORT = qw(start_likeset_node set_pair wait_applied sync_both model_op model_text
  entries_text check_converged ts_sql %model);

my ($node_a, $node_b);
# page => { hex of element => [ us, removed ] }
our %model;

# Initialise and start $node for logical replication (extra initdb
# arguments and postgresql.conf lines in %opt), with the extension, the
# table pages(page_id, likes, title) under likeset_replicate(), and a
# publication pub of it
sub start_likeset_node
{
	my ($node, %opt) = @_;
	$node->init(allows_streaming => 'logical', extra => $opt{extra} // []);
	$node->append_conf('postgresql.conf', $opt{conf}) if $opt{conf};
	$node->start;
	$node->safe_psql(
		'postgres', q{
		CREATE EXTENSION likeset;
		CREATE TABLE pages (page_id int PRIMARY KEY,
		                    likes likeset NOT NULL DEFAULT '{}',
		                    title text);
		SELECT likeset_replicate('pages');
		CREATE PUBLICATION pub FOR TABLE pages;
	});
	return;
}

# The two nodes the other functions work on
sub set_pair
{
	($node_a, $node_b) = @_;
	return;
}

# Wait until subscriber $sub has applied everything publisher $pub has
# written so far (wait_for_catchup, but giving up at once when the
# subscriber's apply worker reports an error)
sub wait_applied
{
	my ($pub, $sub, $subname) = @_;
	my $target = $pub->lsn('write');
	my $caught_up = qq{
		SELECT '$target' <= replay_lsn AND state = 'streaming'
		FROM pg_stat_replication WHERE application_name = '$subname'};
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if $pub->safe_psql('postgres', $caught_up) eq 't';
		return 0
		  if $sub->safe_psql('postgres',
			'SELECT sum(apply_error_count + sync_error_count) FROM pg_stat_subscription_stats'
		  ) ne '0';
		usleep(100_000);
	}
	return 0;
}

# Wait until each node has applied everything the other wrote, echoes
# included: rounds of catch-up both ways until a round in which neither
# node wrote anything
sub sync_both
{
	for my $round (1 .. 30)
	{
		my $before_a = $node_a->lsn('insert');
		my $before_b = $node_b->lsn('insert');
		wait_applied($node_a, $node_b, 'sub_b') or return 0;
		wait_applied($node_b, $node_a, 'sub_a') or return 0;
		return 1
		  if $node_a->lsn('insert') eq $before_a
		  && $node_b->lsn('insert') eq $before_b;
	}
	return 0;
}

# Record an operation on $elem (bytes) in the model
sub model_op
{
	my ($page, $elem, $us, $removed) = @_;
	my $key = unpack('H*', $elem);
	my $cur = $model{$page}{$key};
	$model{$page}{$key} = [ $us, $removed ]
	  if !defined $cur
	  || $us > $cur->[0]
	  || ($us == $cur->[0] && $removed && !$cur->[1]);
	return;
}

# The model as lines page|hex|us|t-or-f
sub model_text
{
	my @lines;
	for my $page (sort { $a <=> $b } keys %model)
	{
		for my $key (sort keys %{ $model{$page} })
		{
			my ($us, $removed) = @{ $model{$page}{$key} };
			push @lines, join('|', $page, $key, $us, $removed ? 't' : 'f');
		}
	}
	return join("\n", @lines);
}

my $entries_query = q{
	SELECT p.page_id, encode(convert_to(e.element, 'UTF8'), 'hex'),
	       (extract(epoch FROM e.ts) * 1000000)::bigint, e.removed
	FROM pages p, likeset_entries(p.likes) e};

# A node's entries, sorted like model_text()
sub entries_text
{
	my ($node) = @_;
	my @lines = split /\n/, $node->safe_psql('postgres', $entries_query);
	return join("\n",
		sort {
			my @x = split /\|/, $a;
			my @y = split /\|/, $b;
			$x[0] <=> $y[0] or $x[1] cmp $y[1]
		} @lines);
}

my $rows_query = 'SELECT page_id, likes::text, title FROM pages ORDER BY 1';

# Both nodes hold the same rows, and their entries are the model's
sub check_converged
{
	my ($what) = @_;
	ok(sync_both(), "$what: replication settles");
	my $rows_a = $node_a->safe_psql('postgres', $rows_query);
	my $rows_b = $node_b->safe_psql('postgres', $rows_query);
	is($rows_b, $rows_a, "$what: both nodes hold the same rows");
	is(entries_text($node_a), model_text(), "$what: node_a equals the model");
	is(entries_text($node_b), model_text(), "$what: node_b equals the model");
	return;
}

# The SQL literal of a timestamp given in microseconds since 1970
sub ts_sql
{
	my ($us) = @_;
	my $s = int($us / 1000000);
	return "'"
	  . strftime('%Y-%m-%d %H:%M:%S', gmtime($s))
	  . sprintf('.%06d+00', $us - $s * 1000000) . "'";
}

1;
