//go:build !amd64 || purego

package kernels

// acceleratedSets returns no sets: this build has no assembly.
func acceleratedSets() []*set { return nil }
