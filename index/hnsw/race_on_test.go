//go:build race

package hnsw

// raceEnabled tells heavy tests to shrink under the race detector.
const raceEnabled = true
