module provision.local/services/ingress

go 1.26.0
