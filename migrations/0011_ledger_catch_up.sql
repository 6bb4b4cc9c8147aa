-- Balances the frontend changed before 0010 recorded such changes: the difference between each balance
-- and its ledger is recorded once, as what it is. (A separate file, because the 'direct_change' value 0010
-- added to the enum can only be used once that transaction has committed.)
INSERT INTO token_transactions (user_id, delta, balance_after, kind, note)
SELECT u.id, u.tokens - coalesce(l.recorded, 0), u.tokens, 'direct_change',
	'users.tokens was changed without a ledger entry (found when the ledger started recording such changes)'
FROM users u
LEFT JOIN (SELECT user_id, sum(delta) AS recorded FROM token_transactions GROUP BY user_id) l ON l.user_id = u.id
WHERE u.tokens <> coalesce(l.recorded, 0);
