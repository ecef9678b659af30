// Package count counts participatory-budgeting ballots: which plans a
// budget pays for. It has no database and no web; the budget domain
// package gives it the plans, the budget and the ballots and shows the
// Outcome.
//
// Money is in whole euro cents (int64). Plans are numbered 0..n-1 in the
// Instance. A ballot lists the plans a voter chose (knapsack and approval
// ballots) or the points they gave (points ballots).
//
// # Greedy: most votes first
//
// Sort the plans by votes — approvals, or total points — most first. Go
// down the list: a plan that fits in what is left of the budget is chosen;
// one that no longer fits is passed over and the next one is tried. Plans
// without votes are never chosen. Ties: the cheaper plan first, then the
// plan that comes first in the instance (lower index). The budget is
// never exceeded.
//
// # Method of Equal Shares
//
// The method of Peters and Skowron, used in Wieliczka and Aarau
// (equalshares.net). Every voter gets an equal share of the budget:
// budget ÷ number of ballots. A plan can only be paid from the shares of
// the voters who voted for it, its supporters. Round by round, the plan
// that costs its supporters the least is chosen: the price per supporter
// is worked out so that supporters pay equally (with points ballots: in
// proportion to their points), and a supporter who has less left than
// that pays all they have left while the others pay a bit more. The plan
// with the lowest price (per supporter, or per point) is chosen and its
// supporters pay it; the count goes on until no plan can be paid by its
// supporters any more. Ties in price: more votes first, then the cheaper
// plan, then the lower index. This is proportional: a group of voters that
// is a third of all voters controls a third of the budget, for the plans
// it agrees on — in the words of the theory, the outcome satisfies
// extended justified representation up to one project (tests check this
// by brute force on thousands of small instances).
//
// Equal shares often leaves money unspent (a plan can only be bought by
// its own supporters). The completion ("add1", as equalshares.net does
// it) uses it: count again as if every voter's share were one cent more,
// then two cents more, and so on, keeping the last count whose plans
// still fit in the real budget; stop when that count leaves no plan with
// votes that would still fit (exhaustive), or when the next count would
// overspend. The counting starts at the real share (budget ÷ ballots,
// exact); the raised shares are floor(budget ÷ ballots) + 1, + 2, ...
// cents. Plans the kept count chose that the count with the real share
// also chose are in phase "equal_shares", the others in phase
// "completion". Whatever is then left is spent greedily: plans with votes
// not chosen yet, most votes first (ties as for greedy), as long as they
// fit — phase "greedy_fill". A plan with votes that is not chosen is
// "not_affordable": its supporters could not pay for it, and it did not
// fit in what was left.
//
// All money in the equal-shares count is exact (rational: 333⅓ cents is
// 333⅓ cents); the numbers shown to residents are rounded: what
// supporters had left down to whole cents, the most a supporter paid up.
// See mes.go for the arithmetic and for how the completion avoids
// counting at every cent while giving the same result.
//
// # Pabulib
//
// WritePabulib and ParsePabulib read and write the .pb format of the
// participatory budgeting library (pabulib.org), so that researchers can
// verify a result. See pabulib.go for how cents are written.
package count
