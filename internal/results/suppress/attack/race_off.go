//go:build !race

package attack

const raceOn = false
