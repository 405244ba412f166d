//go:build race

package main

// raceEnabled: the crash test builds the binary it kills with -race too.
const raceEnabled = true
