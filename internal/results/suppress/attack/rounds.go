package attack

import (
	"os"
	"strconv"
	"testing"
)

// Rounds is how many random tables or pages an attack test tries: n, a
// fifth of it with `go test -short`, a quarter under the race detector
// (which makes the solvers several times slower; CI's PostgreSQL step
// runs every round without it), or INSPRAAK_ATTACK_ROUNDS when set.
func Rounds(n int) int {
	if v, err := strconv.Atoi(os.Getenv("INSPRAAK_ATTACK_ROUNDS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return n / 5
	}
	if raceOn {
		return n / 4
	}
	return n
}
