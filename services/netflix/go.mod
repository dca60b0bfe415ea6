module provision.local/services/netflix

go 1.26.0

require (
	provision.local/events v0.0.0
	provision.local/pkg v0.0.0
)

replace (
	provision.local/events => ../../events
	provision.local/pkg => ../../pkg
)
