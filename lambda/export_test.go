package lambda

// Internals the external tests check against each other.
var (
	QuickKind = quickKind
	ProbeKind = detect
)
