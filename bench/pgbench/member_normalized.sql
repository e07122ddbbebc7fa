-- did user X like page P? (half of the users asked about did)
\set p random(1, :pages)
\set u random(100001, 100000 + 2 * :size)
SELECT EXISTS (SELECT FROM norm_likes WHERE page_id = :p AND user_id = 'user' || :u AND NOT removed);
