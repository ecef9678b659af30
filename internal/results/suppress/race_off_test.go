//go:build !race

package suppress

const raceOn = false
