# t/LikesetMesh.pm: what the tests on a mesh of nodes share.  The nodes are
# PostgreSQL::Test::Cluster objects in a hash by short name (a, b, c);
# subscriber s's subscription to publisher p is "s_from_p", which is also
# its slot and the application_name the publisher's walsender reports.
package LikesetMesh;

use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use Exporter 'import';

our @EXPORT = qw(mesh_subscribe mesh_apply_errors mesh_wait_applied mesh_sync_pairs mesh_wait_workers
  mesh_check_logs);

# A full mesh: every node named in @$names subscribes to every other one's
# publications $pubs ("pub", or "pub, publog"), WITH ($with).  Returns the
# pairs [publisher name, subscriber name], in the order made.
sub mesh_subscribe
{
	my ($nodes, $names, $pubs, $with) = @_;
	my @pairs;
	foreach my $s (@$names)
	{
		foreach my $p (@$names)
		{
			next if $p eq $s;
			my $connstr = $nodes->{$p}->connstr . ' dbname=postgres';
			$nodes->{$s}->safe_psql('postgres',
				"CREATE SUBSCRIPTION ${s}_from_$p CONNECTION '$connstr' PUBLICATION $pubs WITH ($with)");
			push @pairs, [ $p, $s ];
		}
	}
	return @pairs;
}

# The number of errors the apply workers of $node have reported.  A worker
# whose publisher goes away counts one too.
sub mesh_apply_errors
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		'SELECT coalesce(sum(apply_error_count + sync_error_count), 0) FROM pg_stat_subscription_stats'
	);
}

# Wait until subscriber $sub (named $s) has applied everything publisher
# $pub (named $p) has written so far; false at once when an apply worker of
# $sub has reported more errors than $errors (undef: never give up early),
# or after the timeout
sub mesh_wait_applied
{
	my ($pub, $p, $sub, $s, $errors) = @_;
	my $target = $pub->lsn('write');
	my $caught_up = qq{
		SELECT '$target' <= replay_lsn AND state = 'streaming'
		FROM pg_stat_replication WHERE application_name = '${s}_from_$p'};
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if $pub->safe_psql('postgres', $caught_up) eq 't';
		return 0 if defined $errors && mesh_apply_errors($sub) > $errors;
		usleep(100_000);
	}
	return 0;
}

# Catch-up rounds over the pairs [publisher name, subscriber name] of the
# nodes in %$nodes, until a round in which no node wrote anything (applying
# a row writes it and sends it on once; its echo is dropped at the next
# node).  With $strict, an apply error ends the wait at once.  $pause_us,
# when given, is a pause between rounds, for nodes that write on their own
# (a folder folding what arrived).  False when a wait timed out or failed.
sub mesh_sync_pairs
{
	my ($nodes, $pairs, $strict, $pause_us) = @_;
	my %in = map { ($_->[0] => 1, $_->[1] => 1) } @$pairs;
	my %errors = map { ($_ => $strict ? mesh_apply_errors($nodes->{$_}) : undef) } keys %in;
	for (1 .. 30)
	{
		my %before = map { ($_ => $nodes->{$_}->lsn('insert')) } keys %in;
		foreach my $pair (@$pairs)
		{
			my ($p, $s) = @$pair;
			mesh_wait_applied($nodes->{$p}, $p, $nodes->{$s}, $s, $errors{$s}) or return 0;
		}
		return 1
		  unless grep { $nodes->{$_}->lsn('insert') ne $before{$_} } keys %in;
		usleep($pause_us) if $pause_us;
	}
	return 0;
}

# Wait until $node runs an apply worker for each of its $count enabled
# subscriptions (the launcher starts a re-enabled one's worker up to
# wal_retrieve_retry_interval later)
sub mesh_wait_workers
{
	my ($node, $count) = @_;
	return $node->poll_query_until('postgres',
		"SELECT count(pid) = $count FROM pg_stat_subscription WHERE relid IS NULL");
}

# No apply worker failed and nothing crashed: every ERROR or PANIC in the
# logs of the nodes of %$nodes is a connection error that stopping links
# and nodes explains; with fatal_ok, so is every FATAL of a client or worker
# that was terminated or met a node starting or stopping.  Anything else,
# "terminated by signal" and a failed assertion included, fails the test.
sub mesh_check_logs
{
	my ($nodes, %opt) = @_;
	my $expected_error = join(
		'|',
		# ("apply worker for subscription ... could not connect" from 18)
		'(?:\\w+ worker for subscription "\\w+" )?could not connect to the publisher: ',
		# the connection broke (a node stopped, a worker or walsender was
		# terminated); not an error the publisher reported
		'(?:could not (?:receive|send) data (?:from|to) WAL stream|could not send end-of-streaming message to primary|error while shutting down streaming COPY|error reading result of streaming command|could not start WAL streaming): (?!.*ERROR)',
		# a walsender of the previous worker still holds the slot
		'(?:could not start WAL streaming: ERROR:  )?replication slot "\\w+" is active for PID \\d+',
		# a new apply worker starts while the one before it still holds
		# the subscription's replication origin
		'replication origin with ID \\d+ is already active for PID \\d+'
	);
	$expected_error = qr/ERROR:  (?:$expected_error)/;
	my $expected_fatal =
	  qr/terminating (?:connection|logical replication worker|background worker)|the database system is (?:starting up|shutting down|in recovery mode|not yet accepting connections)|connection to client lost/;
	my $levels = $opt{fatal_ok} ? qr/\b(ERROR|PANIC|FATAL):/ : qr/\b(ERROR|PANIC):/;
	foreach my $n (sort keys %$nodes)
	{
		my @lines = split /\n/, slurp_file($nodes->{$n}->logfile);
		my (@bad, $expected);
		foreach my $i (0 .. $#lines)
		{
			my $line = $lines[$i];
			if ($line =~ $levels)
			{
				if (   ($1 eq 'ERROR' && $line =~ $expected_error)
					|| ($1 eq 'FATAL' && $line =~ $expected_fatal))
				{
					$expected++;
				}
				else
				{
					push @bad, $line;
					# the CONTEXT line says which remote change failed
					push @bad, $lines[ $i + 1 ]
					  if $i < $#lines && $lines[ $i + 1 ] =~ /CONTEXT:|DETAIL:/;
				}
			}
			push @bad, $line if $line =~ /terminated by signal|TRAP:/;
		}
		is(scalar(@bad), 0, "node $n: no unexpected errors in the log")
		  or diag join("\n", @bad[ 0 .. ($#bad < 19 ? $#bad : 19) ]);
		is(scalar(grep { /duplicate key/ } @lines), 0, "node $n: no duplicate key error");
		diag "node $n: " . ($expected // 0) . " expected connection errors in the log";
	}
	return;
}

1;
