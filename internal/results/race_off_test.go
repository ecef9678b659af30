//go:build !race

package results_test

const raceOn = false
