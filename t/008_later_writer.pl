# The later writer of a row's columns other than likesets wins on every
# node, whatever the order in which its changes arrive.
#
# Part 1, two nodes: the first transaction an apply worker applies after it
# starts.  Until 1.3 the merge trigger read the incoming commit time from
# the apply worker's replication origin, which PostgreSQL sets only at
# commit: the first transaction after a start saw 0 and won, whoever wrote
# later.  Each round cuts both links, sets a page's title on one node and,
# later, on the other (the earlier title sorts after the later one, so a
# fallback to the greater value cannot pass for the rule), then brings the
# links back: the earlier writer's row first, the later one's first, or
# both at once, and the first two with a check of the node that has heard
# one side only.
#
# Part 2, three nodes in a full mesh: a few hundred random writes of
# titles, notes and likes on random nodes, while links go down and up,
# apply workers are killed and nodes restart.  Every write returns the row
# it wrote; the model gives each page the whole row (title, note, write
# time) of its write with the latest write time, and checks that this is
# the write issued last (one machine, one clock), then each node must hold
# exactly that, and likes must equal the last-writer-wins model of every
# like and unlike.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use LikesetMesh;

my $seed = $ENV{LIKESET_TEST_SEED} // int(rand(1_000_000_000));
srand($seed);
diag "seed $seed (set LIKESET_TEST_SEED to repeat)";

my $conf = qq{
autovacuum = off
wal_retrieve_retry_interval = '200ms'
max_logical_replication_workers = 6
max_worker_processes = 12
};

# Initialise and start nodes named @names (${prefix}_name for the
# framework), create the table on each, and a full mesh of subscriptions
# (disabled when $disabled); returns the hash of nodes by name
sub make_mesh
{
	my ($prefix, $disabled, @names) = @_;
	my %node;
	foreach my $n (@names)
	{
		my $node = PostgreSQL::Test::Cluster->new("${prefix}_$n");
		$node->init(allows_streaming => 'logical');
		$node->append_conf('postgresql.conf', $conf);
		$node->start;
		$node->safe_psql(
			'postgres', q{
			CREATE EXTENSION likeset;
			CREATE TABLE pages (page_id int PRIMARY KEY,
			                    likes likeset NOT NULL DEFAULT '{}',
			                    title text, note int NOT NULL DEFAULT 0);
			SELECT likeset_replicate('pages');
			CREATE PUBLICATION pub FOR TABLE pages;
		});
		$node{$n} = $node;
	}
	foreach my $s (@names)
	{
		foreach my $p (grep { $_ ne $s } @names)
		{
			$node{$s}->safe_psql('postgres',
				    "CREATE SUBSCRIPTION ${s}_from_$p CONNECTION '"
				  . $node{$p}->connstr
				  . " dbname=postgres' PUBLICATION pub WITH (copy_data = false"
				  . ($disabled ? ', enabled = false' : '') . ')');
		}
	}
	return %node;
}

# Enable or disable subscription $s_from_$p, and wait until its worker runs
# (it has applied nothing yet when it is new) or is gone
sub set_link
{
	my ($node, $s, $p, $on) = @_;
	my $sub = "${s}_from_$p";
	$node->{$s}->safe_psql('postgres', "ALTER SUBSCRIPTION $sub " . ($on ? 'ENABLE' : 'DISABLE'));
	$node->{$s}->poll_query_until('postgres',
		"SELECT count(pid) = " . ($on ? 1 : 0) . " FROM pg_stat_subscription WHERE subname = '$sub'")
	  or die "subscription $sub did not " . ($on ? 'start' : 'stop');
	return;
}

my $rows = q{SELECT page_id, title, note, likes::text FROM pages ORDER BY page_id};

########################################################################
# Part 1: the first transaction after an apply worker starts
########################################################################
my %pair = make_mesh('pair', 1, qw(a b));
my @pair_links = ([ 'a', 'b' ], [ 'b', 'a' ]);    # [publisher, subscriber]
$pair{a}->safe_psql('postgres', "INSERT INTO pages (page_id, title) VALUES (1, 'initial')");
$pair{b}->safe_psql('postgres', "INSERT INTO pages (page_id, title) VALUES (1, 'initial')");

my $round = 0;
foreach my $arrival (qw(earlier_first later_first together))
{
	foreach my $earlier (qw(a b))
	{
		$round++;
		my $later = $earlier eq 'a' ? 'b' : 'a';
		my $what = "round $round ($earlier writes first, $later later; $arrival)";
		# the links are down (both subscriptions disabled, workers gone)
		my $t_early = "zz early $round from $earlier";
		my $t_late = "aa late $round from $later";
		my $w_early = $pair{$earlier}->safe_psql('postgres',
			"UPDATE pages SET title = '$t_early', likes = likes + 'e$round' WHERE page_id = 1 RETURNING likeset_row_ts");
		# the later write's time must be greater: poll the clock past it
		$pair{$later}->poll_query_until('postgres', "SELECT clock_timestamp() > '$w_early'")
		  or die 'the clock does not move';
		my $w_late = $pair{$later}->safe_psql('postgres',
			"UPDATE pages SET title = '$t_late', likes = likes + 'l$round' WHERE page_id = 1 RETURNING likeset_row_ts");

		if ($arrival eq 'earlier_first')
		{
			# the later writer's node hears the earlier row first, as the
			# first transaction of its new apply worker: its title stays
			set_link(\%pair, $later, $earlier, 1);
			ok(mesh_wait_applied($pair{$earlier}, $earlier, $pair{$later}, $later),
				"$what: $later applies $earlier\'s row");
			is($pair{$later}->safe_psql('postgres', 'SELECT title FROM pages WHERE page_id = 1'),
				$t_late, "$what: $later keeps its later title after the earlier row");
			set_link(\%pair, $earlier, $later, 1);
		}
		elsif ($arrival eq 'later_first')
		{
			# the earlier writer's node hears the later row first: it takes it
			set_link(\%pair, $earlier, $later, 1);
			ok(mesh_wait_applied($pair{$later}, $later, $pair{$earlier}, $earlier),
				"$what: $earlier applies $later\'s row");
			is($pair{$earlier}->safe_psql('postgres', 'SELECT title FROM pages WHERE page_id = 1'),
				$t_late, "$what: $earlier takes the later title");
			set_link(\%pair, $later, $earlier, 1);
		}
		else
		{
			$pair{$_}->safe_psql('postgres', 'ALTER SUBSCRIPTION ' . join('_from_', $_, $_ eq 'a' ? 'b' : 'a') . ' ENABLE')
			  for qw(a b);
			mesh_wait_workers($pair{$_}, 1) or die "$_: no apply worker" for qw(a b);
		}
		ok(mesh_sync_pairs(\%pair, \@pair_links, 1), "$what: replication settles");
		foreach my $n (qw(a b))
		{
			is( $pair{$n}->safe_psql('postgres', 'SELECT title, likeset_row_ts FROM pages WHERE page_id = 1'),
				"$t_late|$w_late", "$what: $n holds the later title and its write time");
			is( $pair{$n}->safe_psql('postgres',
					"SELECT likes \@> 'e$round' AND likes \@> 'l$round' FROM pages WHERE page_id = 1"),
				't', "$what: $n has the likes of both sides");
		}
		# links down again for the next round
		set_link(\%pair, 'a', 'b', 0);
		set_link(\%pair, 'b', 'a', 0);
	}
}
is( mesh_apply_errors($pair{$_}), 0, "part 1: no apply errors on $_") for qw(a b);
$pair{$_}->stop for qw(a b);

########################################################################
# Part 2: three nodes, random writes, links, killed workers, restarts
########################################################################
my @names = qw(a b c);
my %node = make_mesh('mesh', 0, @names);
my @links;    # [publisher, subscriber]
foreach my $s (@names)
{
	push @links, [ $_, $s ] for grep { $_ ne $s } @names;
}
mesh_wait_workers($node{$_}, 2) or die "$_: apply workers did not start" for @names;

my @pages = (1 .. 4);
my @elems = map { "u$_" } (1 .. 6);
# a fixed day of explicit like times, few enough for ties
my @explicit_ts = map { sprintf('2026-11-28 10:00:%02d+00', $_) } (0 .. 11);

# Each page on every node, replicated to all before the writes begin
$node{a}->safe_psql('postgres',
	'INSERT INTO pages (page_id, title) SELECT g, $$initial$$ FROM generate_series(1, 4) g');
ok(mesh_sync_pairs(\%node, \@links, 1), 'part 2: the pages reach every node');

# the model: page => [write time (us), title, note] of the latest row write,
# and page => element => [us, removed] of likes
my (%row_model, %likes_model);
my %last_issued;    # page => write time of the row write issued last
my $us = q{(extract(epoch FROM likeset_row_ts) * 1000000)::bigint};
foreach my $line (split /\n/, $node{a}->safe_psql('postgres', "SELECT page_id, $us, title, note FROM pages"))
{
	my ($p, $t, $title, $note) = split /\|/, $line;
	$row_model{$p} = [ $t, $title, $note ];
}

sub model_like
{
	my ($p, $e, $t, $removed) = @_;
	my $cur = $likes_model{$p}{$e};
	$likes_model{$p}{$e} = [ $t, $removed ]
	  if !defined $cur || $t > $cur->[0] || ($t == $cur->[0] && $removed && !$cur->[1]);
	return;
}

sub pick { return $_[ int(rand(@_)) ]; }

my %down;    # "s_from_p" => 1 while disabled
my %stopped;
my ($writes, $row_writes, $restarts, $kills, $toggles, $out_of_order) = (0) x 6;
for my $i (1 .. 360)
{
	# now and then: a link goes down or up, an apply worker is killed, a node restarts
	my $r = rand();
	if ($r < 0.07)
	{
		my ($p, $s) = @{ pick(@links) };
		my $sub = "${s}_from_$p";
		$node{$s}->safe_psql('postgres', "ALTER SUBSCRIPTION $sub " . ($down{$sub} ? 'ENABLE' : 'DISABLE'));
		$down{$sub} = !$down{$sub};
		$toggles++;
	}
	elsif ($r < 0.11)
	{
		my $n = pick(@names);
		$kills += $node{$n}->safe_psql('postgres',
			'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_subscription WHERE pid IS NOT NULL');
	}
	elsif ($r < 0.125 && $restarts < 4)
	{
		my $n = pick(@names);
		$node{$n}->stop(pick('fast', 'immediate'));
		$node{$n}->start;
		$restarts++;
	}

	# a write on a random node
	my $n = pick(@names);
	my $p = pick(@pages);
	my $e = pick(@elems);
	my $kind = rand();
	my ($set, $like);
	if ($kind < 0.30)
	{
		$set = "title = 't$i on $n'";
	}
	elsif ($kind < 0.42)
	{
		$set = 'note = note + 1';
	}
	elsif ($kind < 0.55)
	{
		$set = "title = 't$i on $n'";
		$like = 1;
	}
	else
	{
		$like = 1;
	}
	my @set;
	push @set, $set if $set;
	my ($like_ts, $removed);
	if ($like)
	{
		$removed = rand() < 0.35 ? 1 : 0;
		if (rand() < 0.5)
		{
			$like_ts = pick(@explicit_ts);
			push @set,
			  'likes = ' . ($removed ? 'likeset_remove' : 'likeset_add') . "(likes, '$e', '$like_ts')";
		}
		else
		{
			push @set, 'likes = likes ' . ($removed ? '-' : '+') . " '$e'";
		}
	}
	# the like's time: the explicit one, or the entry a clock-stamped
	# operation made (it always wins on its own node)
	my $like_us =
	  defined $like_ts
	  ? "(extract(epoch FROM timestamptz '$like_ts') * 1000000)::bigint"
	  : "(extract(epoch FROM (likeset_entry(likes, '$e')).ts) * 1000000)::bigint";
	my $ret = $node{$n}->safe_psql('postgres',
		'UPDATE pages SET ' . join(', ', @set) . " WHERE page_id = $p RETURNING $us, title, note, $like_us");
	my ($t, $title, $note, $entry_us) = split /\|/, $ret;
	$writes++;
	model_like($p, $e, $entry_us, $removed) if $like;
	if ($set)
	{
		$row_writes++;
		# one clock: a row write issued later carries a later write time
		$out_of_order++ if defined $last_issued{$p} && $t <= $last_issued{$p};
		$last_issued{$p} = $t;
		$row_model{$p} = [ $t, $title, $note ] if $t > $row_model{$p}[0];
	}
}
diag "part 2: $writes writes ($row_writes to titles or notes), $toggles link changes, "
  . "$kills apply workers killed, $restarts node restarts";
is($out_of_order, 0, 'part 2: every row write carries a later write time than those issued before it');

# Heal: every link up, every worker running, then catch up
foreach my $sub (grep { $down{$_} } keys %down)
{
	my ($s) = split /_from_/, $sub;
	$node{$s}->safe_psql('postgres', "ALTER SUBSCRIPTION $sub ENABLE");
}
ok(mesh_wait_workers($node{$_}, 2), "part 2: node $_ runs both apply workers") for @names;
ok(mesh_sync_pairs(\%node, \@links), 'part 2: replication settles');

my $want_rows = join("\n",
	map { join('|', $_, $row_model{$_}[1], $row_model{$_}[2], $row_model{$_}[0]) } @pages);
my $want_likes = join("\n",
	map {
		my $p = $_;
		map { join('|', $p, $_, @{ $likes_model{$p}{$_} }[0], $likes_model{$p}{$_}[1] ? 't' : 'f') }
		  sort keys %{ $likes_model{$p} }
	} @pages);
foreach my $n (@names)
{
	is($node{$n}->safe_psql('postgres', "SELECT page_id, title, note, $us FROM pages ORDER BY 1"),
		$want_rows, "part 2: node $n holds every page's latest row write");
	is( $node{$n}->safe_psql(
			'postgres', q{
			SELECT p.page_id, e.element, (extract(epoch FROM e.ts) * 1000000)::bigint, e.removed
			FROM pages p, likeset_entries(p.likes) e
			WHERE e.element LIKE 'u%' ORDER BY 1, 2}),
		$want_likes,
		"part 2: node $n holds the model's likes");
}
is($node{b}->safe_psql('postgres', $rows), $node{a}->safe_psql('postgres', $rows), 'part 2: a and b agree');
is($node{c}->safe_psql('postgres', $rows), $node{a}->safe_psql('postgres', $rows), 'part 2: a and c agree');
mesh_check_logs(\%node, fatal_ok => 1);
mesh_check_logs(\%pair);

$node{$_}->stop for @names;
done_testing();
