//go:build race

package suppress

// raceOn: the race detector makes the attack harness several times
// slower. Under it (CI's SQLite step) the harness runs a quarter of its
// rounds; CI's PostgreSQL step runs every round without it.
const raceOn = true
