module provision.local/services/disney

go 1.26.0
