package poll

// FirstBallot exposes the one-statement insert to the tests.
var FirstBallot = (*Service).firstBallot
