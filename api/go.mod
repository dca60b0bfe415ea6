module provision.local/api

go 1.26.0

require (
	github.com/getkin/kin-openapi v0.153.0
	provision.local/pkg v0.0.0
)

require (
	github.com/biter777/countries v1.7.5 // indirect
	github.com/go-openapi/jsonpointer v0.22.5 // indirect
	github.com/go-openapi/swag/jsonname v0.25.5 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	go.yaml.in/yaml/v4 v4.0.0 // indirect
	golang.org/x/text v0.42.0 // indirect
)

replace (
	provision.local/events => ../events
	provision.local/pkg => ../pkg
)
