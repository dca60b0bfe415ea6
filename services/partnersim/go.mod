module provision.local/services/partnersim

go 1.26.0
