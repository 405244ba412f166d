// Package examples holds the example apps of monotable and the checks that
// tie them to the SAM app that deploys them (template.yaml at the
// repository's root): the table there is the one the models need, every
// function has its build target, and every route its handler.
//
//   - sessions: a session store (TTL, consistent reads, optimistic
//     refreshes, a per-user index, an audit from the stream);
//   - leaderboard: a game leaderboard (atomic adds in a transaction, a
//     numeric index, ranks and neighbours, cursors).
//
// Both live in one table; see examples/internal/apptable and README.md.
package examples
