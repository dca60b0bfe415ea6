module provision.local/events

go 1.26.0
