// Package samtemplate reads template.yaml the way the local stack needs it: the functions with
// their code directory, merged environment, HTTP routes and schedules; the table, the buckets and
// the state machine with every intrinsic (Ref, GetAtt, Sub of a parameter) resolved to the names
// the local stack gives them. The local stack creates its resources from this, so there is no
// second hand-written copy of them.
package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// Names decides the physical names and ARNs of resources, as CloudFormation would on deploy.
type Names struct {
	Region    string
	AccountID string
	Prefix    string // prefixed to table, bucket and state machine names
}

// Template is the part of template.yaml the local stack uses.
type Template struct {
	Parameters    map[string]Parameter
	Functions     []Function
	Tables        []Table
	Buckets       []Bucket
	StateMachines []StateMachine
	Keys          []Key
	Authorizer    JWTAuthorizer
	// EventBuses and EmailIdentities (issue 13's notifications): a bus by the name its Ref
	// resolves to in the functions' environment; an SES identity by its address.
	EventBuses      []EventBus
	EmailIdentities []string
}

// EventBus is an AWS::Events::EventBus, named as its Ref resolves locally.
type EventBus struct {
	LogicalID string
	Name      string
}

// StreamEvent is a DynamoDB stream event of a function (an event source mapping).
type StreamEvent struct {
	EventName            string
	Table                string // the logical ID of the table whose stream it reads
	BatchSize            int
	BisectOnError        bool
	MaximumRetryAttempts int
	ReportItemFailures   bool     // FunctionResponseTypes: [ReportBatchItemFailures]
	Filters              []string // FilterCriteria patterns, as written
	OnFailure            string   // the on-failure destination's ARN
}

// Parameter is a template parameter with its (possibly overridden) value.
type Parameter struct {
	Type    string
	Default any
}

// Function is an AWS::Serverless::Function.
type Function struct {
	LogicalID   string
	Name        string // the physical name the local stack gives it (its logical ID)
	ARN         string
	CodeURI     string // e.g. functions/api/
	BuildMethod string
	Env         map[string]string // Globals.Function.Environment merged with its own
	Routes      []Route
	Schedules   []Schedule
	Streams     []StreamEvent
}

// Dir is the function's directory name under functions/ (CodeUri without its trailing slash).
func (f Function) Dir() string {
	parts := strings.Split(strings.Trim(f.CodeURI, "/"), "/")
	return parts[len(parts)-1]
}

// Route is an HttpApi event of a function.
type Route struct {
	EventName string
	Method    string
	Path      string
	Public    bool // Auth.Authorizer: NONE
}

// Key is the route key API Gateway puts in the event ("POST /cases/{caseId}").
func (r Route) Key() string { return r.Method + " " + r.Path }

// Schedule is a ScheduleV2 event of a function.
type Schedule struct {
	EventName  string
	Expression string
	TimeZone   string
	Input      string
}

// Table is an AWS::DynamoDB::Table.
type Table struct {
	LogicalID              string
	Name                   string
	BillingMode            string
	AttributeDefinitions   []KeyAttribute
	KeySchema              []KeyElement
	GlobalSecondaryIndexes []Index
	TTLAttribute           string
	PointInTimeRecovery    bool
	StreamViewType         string // StreamSpecification; "" without a stream
}

// KeyAttribute is an attribute definition of a table.
type KeyAttribute struct {
	AttributeName string
	AttributeType string
}

// KeyElement is one element of a key schema.
type KeyElement struct {
	AttributeName string
	KeyType       string
}

// Index is a global secondary index.
type Index struct {
	IndexName  string
	KeySchema  []KeyElement
	Projection struct {
		ProjectionType   string
		NonKeyAttributes []string // INCLUDE: the attributes projected besides the keys
	}
}

// Bucket is an AWS::S3::Bucket.
type Bucket struct {
	LogicalID         string
	Name              string
	Versioning        bool
	Encryption        string // SSE algorithm
	BlockPublicAccess bool
	ObjectLock        bool
	LockMode          string
	LockRetentionDays int
	CORS              []CORSRule // the bucket's CORS rules (the web portal's presigned PUTs and GETs)
}

// CORSRule is one rule of a bucket's CorsConfiguration.
type CORSRule struct {
	AllowedOrigins, AllowedMethods, AllowedHeaders, ExposedHeaders []string
	MaxAge                                                         int32
}

// Key is an AWS::KMS::Key. KMS picks a key's ID when it creates the key, so until then Ref
// resolves to a placeholder (Ref); SetKeyID puts the created key's ID in its place.
type Key struct {
	LogicalID string
	KeySpec   string // e.g. ECC_NIST_P256
	KeyUsage  string // e.g. SIGN_VERIFY
	Ref       string // what !Ref of the key resolved to in the functions' environment
}

// SetKeyID puts id, the ID KMS gave key logicalID, wherever a function's environment holds the
// key's Ref.
func (t *Template) SetKeyID(logicalID, id string) {
	for _, k := range t.Keys {
		if k.LogicalID != logicalID {
			continue
		}
		for _, f := range t.Functions {
			for name, v := range f.Env {
				if v == k.Ref {
					f.Env[name] = id
				}
			}
		}
	}
}

// StateMachine is an AWS::Serverless::StateMachine.
type StateMachine struct {
	LogicalID     string
	Name          string
	ARN           string
	Type          string
	DefinitionURI string
	Substitutions map[string]string
}

// JWTAuthorizer is the HTTP API's JWT authorizer.
type JWTAuthorizer struct {
	Name           string
	IdentitySource string
	Issuer         string
	Audience       []string
}

type rawTemplate struct {
	Parameters map[string]struct {
		Type    string
		Default any
	}
	Globals struct {
		Function struct {
			Environment struct{ Variables map[string]any }
		}
	}
	Resources map[string]struct {
		Type       string
		Metadata   map[string]any
		Properties json.RawMessage
	}
}

// Load reads path, applies the parameter overrides and resolves intrinsics with names.
func Load(path string, names Names, params map[string]any) (*Template, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	// First pass: which logical IDs are which resource types, so Ref and GetAtt resolve right.
	types, err := resourceTypes(src)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	r := resolver{names: names, types: types}
	conditioned, err := withConditions(src, params)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	js, err := intrinsics.ProcessJSON(conditioned, &intrinsics.ProcessorOptions{
		ParameterOverrides: params,
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref":        r.ref,
			"Fn::GetAtt": r.getAtt,
			"Fn::Sub":    r.sub,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	var raw rawTemplate
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	t := &Template{Parameters: map[string]Parameter{}}
	for name, p := range raw.Parameters {
		t.Parameters[name] = Parameter{Type: p.Type, Default: p.Default}
	}
	globalsEnv := stringMap(raw.Globals.Function.Environment.Variables)
	ids := make([]string, 0, len(raw.Resources))
	for id := range raw.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		res := raw.Resources[id]
		var err error
		switch res.Type {
		case "AWS::Serverless::Function":
			err = t.addFunction(id, res.Metadata, res.Properties, globalsEnv, r)
		case "AWS::DynamoDB::Table":
			err = t.addTable(id, res.Properties, r)
		case "AWS::S3::Bucket":
			err = t.addBucket(id, res.Properties, r)
		case "AWS::KMS::Key":
			err = t.addKey(id, res.Properties, r)
		case "AWS::Serverless::StateMachine":
			err = t.addStateMachine(id, res.Properties, r)
		case "AWS::Serverless::HttpApi":
			err = t.addHTTPAPI(res.Properties)
		case "AWS::Events::EventBus":
			t.EventBuses = append(t.EventBuses, EventBus{LogicalID: id, Name: r.physical(id)})
		case "AWS::SES::EmailIdentity":
			var p struct{ EmailIdentity string }
			if err = json.Unmarshal(res.Properties, &p); err == nil {
				t.EmailIdentities = append(t.EmailIdentities, p.EmailIdentity)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("template %s: resource %s: %w", path, id, err)
		}
	}
	return t, nil
}

// Function returns the function with logical ID id.
func (t *Template) Function(id string) (Function, bool) {
	for _, f := range t.Functions {
		if f.LogicalID == id {
			return f, true
		}
	}
	return Function{}, false
}

func resourceTypes(src []byte) (map[string]string, error) {
	js, err := intrinsics.ProcessYAML(src, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, err
	}
	var raw struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for id, r := range raw.Resources {
		out[id] = r.Type
	}
	return out, nil
}

type resolver struct {
	names Names
	types map[string]string
}

func (r resolver) physical(id string) string { return r.names.Prefix + strings.ToLower(id) }

func (r resolver) arn(id string) string {
	n := r.names
	switch r.types[id] {
	case "AWS::Serverless::Function":
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", n.Region, n.AccountID, id)
	case "AWS::Serverless::StateMachine":
		return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", n.Region, n.AccountID, r.physical(id))
	case "AWS::DynamoDB::Table":
		return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", n.Region, n.AccountID, r.physical(id))
	case "AWS::S3::Bucket":
		return "arn:aws:s3:::" + r.physical(id)
	case "AWS::Logs::LogGroup":
		return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", n.Region, n.AccountID, r.physical(id))
	}
	return fmt.Sprintf("arn:aws:local:%s:%s:%s", n.Region, n.AccountID, id)
}

// ref resolves Ref as CloudFormation does: a parameter's value, a pseudo parameter, or a
// resource's physical ID (its name; the ARN for a state machine).
func (r resolver) ref(name string, input any, template any) any {
	id, ok := input.(string)
	if !ok {
		return nil
	}
	switch id {
	case "AWS::Region":
		return r.names.Region
	case "AWS::AccountId":
		return r.names.AccountID
	case "AWS::StackName":
		return strings.TrimSuffix(r.names.Prefix, "-")
	case "AWS::Partition":
		return "aws"
	case "AWS::URLSuffix":
		return "amazonaws.com"
	}
	if typ, ok := r.types[id]; ok {
		switch typ {
		case "AWS::Serverless::Function":
			return id
		case "AWS::Serverless::StateMachine":
			return r.arn(id)
		case "AWS::KMS::Key":
			return r.keyRef(id)
		}
		return r.physical(id)
	}
	return intrinsics.Ref(name, input, template)
}

// getAtt resolves Fn::GetAtt for the attributes the template uses (Arn, Name).
func (r resolver) getAtt(name string, input any, template any) any {
	var id, attr string
	switch v := input.(type) {
	case []any:
		if len(v) == 2 {
			id, _ = v[0].(string)
			attr, _ = v[1].(string)
		}
	case string:
		id, attr, _ = strings.Cut(v, ".")
	}
	switch attr {
	case "Arn":
		return r.arn(id)
	case "StreamArn": // the local stack reads the stream by its table; the label is a placeholder
		return r.arn(id) + "/stream/local"
	case "QueueName":
		return r.physical(id)
	case "Name":
		if r.types[id] == "AWS::Serverless::Function" {
			return id
		}
		return r.physical(id)
	}
	return nil
}

var subVariable = regexp.MustCompile(`\$\{([^}!]+)\}`)

// sub resolves Fn::Sub as CloudFormation does: each ${Name} a variable of its own map, a
// parameter, a pseudo parameter or a resource's Ref, each ${Name.Attr} a GetAtt.
func (r resolver) sub(name string, input any, template any) any {
	var text string
	vars := map[string]any{}
	switch v := input.(type) {
	case string:
		text = v
	case []any:
		if len(v) != 2 {
			return nil
		}
		text, _ = v[0].(string)
		vars, _ = v[1].(map[string]any)
	default:
		return nil
	}
	return subVariable.ReplaceAllStringFunc(text, func(m string) string {
		key := m[2 : len(m)-1]
		var val any
		if v, ok := vars[key]; ok {
			val = v
		} else if strings.Contains(key, ".") {
			val = r.getAtt("Fn::GetAtt", key, template)
		} else {
			val = r.ref("Ref", key, template)
		}
		if val == nil {
			return ""
		}
		return fmt.Sprint(val)
	})
}

func stringMap(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v == nil {
			continue
		}
		out[k] = fmt.Sprint(v)
	}
	return out
}

func (t *Template) addFunction(id string, meta map[string]any, props json.RawMessage, globalsEnv map[string]string, r resolver) error {
	var p struct {
		CodeUri     any
		Environment struct{ Variables map[string]any }
		Events      map[string]struct {
			Type       string
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal(props, &p); err != nil {
		return err
	}
	code, ok := p.CodeUri.(string)
	if !ok || code == "" {
		return fmt.Errorf("CodeUri must be a local directory")
	}
	f := Function{LogicalID: id, Name: id, ARN: r.arn(id), CodeURI: code, Env: map[string]string{}}
	if bm, ok := meta["BuildMethod"].(string); ok {
		f.BuildMethod = bm
	}
	for k, v := range globalsEnv {
		f.Env[k] = v
	}
	for k, v := range stringMap(p.Environment.Variables) {
		f.Env[k] = v
	}
	evNames := make([]string, 0, len(p.Events))
	for n := range p.Events {
		evNames = append(evNames, n)
	}
	sort.Strings(evNames)
	for _, n := range evNames {
		ev := p.Events[n]
		switch ev.Type {
		case "HttpApi":
			var hp struct {
				Method, Path string
				Auth         struct{ Authorizer string }
			}
			if err := json.Unmarshal(ev.Properties, &hp); err != nil {
				return fmt.Errorf("event %s: %w", n, err)
			}
			f.Routes = append(f.Routes, Route{EventName: n, Method: strings.ToUpper(hp.Method), Path: hp.Path, Public: hp.Auth.Authorizer == "NONE"})
		case "ScheduleV2":
			var sp struct {
				ScheduleExpression, ScheduleExpressionTimezone, Input string
			}
			if err := json.Unmarshal(ev.Properties, &sp); err != nil {
				return fmt.Errorf("event %s: %w", n, err)
			}
			f.Schedules = append(f.Schedules, Schedule{EventName: n, Expression: sp.ScheduleExpression, TimeZone: sp.ScheduleExpressionTimezone, Input: sp.Input})
		case "DynamoDB":
			var dp struct {
				Stream                     string
				BatchSize                  int
				BisectBatchOnFunctionError bool
				MaximumRetryAttempts       *int
				FunctionResponseTypes      []string
				FilterCriteria             struct{ Filters []struct{ Pattern string } }
				DestinationConfig          struct{ OnFailure struct{ Destination string } }
			}
			if err := json.Unmarshal(ev.Properties, &dp); err != nil {
				return fmt.Errorf("event %s: %w", n, err)
			}
			se := StreamEvent{EventName: n, Table: r.streamTable(dp.Stream), BatchSize: dp.BatchSize, BisectOnError: dp.BisectBatchOnFunctionError,
				MaximumRetryAttempts: -1, ReportItemFailures: slices.Contains(dp.FunctionResponseTypes, "ReportBatchItemFailures"),
				OnFailure: dp.DestinationConfig.OnFailure.Destination}
			if dp.MaximumRetryAttempts != nil {
				se.MaximumRetryAttempts = *dp.MaximumRetryAttempts
			}
			if se.BatchSize == 0 {
				se.BatchSize = 100
			}
			for _, fl := range dp.FilterCriteria.Filters {
				se.Filters = append(se.Filters, fl.Pattern)
			}
			f.Streams = append(f.Streams, se)
		}
	}
	t.Functions = append(t.Functions, f)
	return nil
}

func (t *Template) addTable(id string, props json.RawMessage, r resolver) error {
	var p struct {
		BillingMode             string
		AttributeDefinitions    []KeyAttribute
		KeySchema               []KeyElement
		GlobalSecondaryIndexes  []Index
		TimeToLiveSpecification struct {
			AttributeName string
			Enabled       bool
		}
		PointInTimeRecoverySpecification struct{ PointInTimeRecoveryEnabled bool }
		StreamSpecification              struct{ StreamViewType string }
	}
	if err := json.Unmarshal(props, &p); err != nil {
		return err
	}
	tb := Table{LogicalID: id, Name: r.physical(id), BillingMode: p.BillingMode, AttributeDefinitions: p.AttributeDefinitions,
		KeySchema: p.KeySchema, GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
		PointInTimeRecovery: p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled,
		StreamViewType:      p.StreamSpecification.StreamViewType}
	if p.TimeToLiveSpecification.Enabled {
		tb.TTLAttribute = p.TimeToLiveSpecification.AttributeName
	}
	t.Tables = append(t.Tables, tb)
	return nil
}

func (t *Template) addBucket(id string, props json.RawMessage, r resolver) error {
	var p struct {
		VersioningConfiguration struct{ Status string }
		BucketEncryption        struct {
			ServerSideEncryptionConfiguration []struct {
				ServerSideEncryptionByDefault struct{ SSEAlgorithm string }
			}
		}
		PublicAccessBlockConfiguration struct {
			BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets bool
		}
		CorsConfiguration struct {
			CorsRules []struct {
				AllowedOrigins, AllowedMethods, AllowedHeaders, ExposedHeaders []string
				MaxAge                                                         int32
			}
		}
		ObjectLockEnabled       bool
		ObjectLockConfiguration struct {
			Rule struct {
				DefaultRetention struct {
					Mode string
					Days json.Number
				}
			}
		}
	}
	if err := json.Unmarshal(props, &p); err != nil {
		return err
	}
	b := Bucket{LogicalID: id, Name: r.physical(id), Versioning: p.VersioningConfiguration.Status == "Enabled",
		ObjectLock: p.ObjectLockEnabled, LockMode: p.ObjectLockConfiguration.Rule.DefaultRetention.Mode}
	pab := p.PublicAccessBlockConfiguration
	b.BlockPublicAccess = pab.BlockPublicAcls && pab.BlockPublicPolicy && pab.IgnorePublicAcls && pab.RestrictPublicBuckets
	if c := p.BucketEncryption.ServerSideEncryptionConfiguration; len(c) > 0 {
		b.Encryption = c[0].ServerSideEncryptionByDefault.SSEAlgorithm
	}
	if d := p.ObjectLockConfiguration.Rule.DefaultRetention.Days; d != "" {
		n, err := d.Int64()
		if err != nil {
			return fmt.Errorf("ObjectLockConfiguration.Rule.DefaultRetention.Days: %w", err)
		}
		b.LockRetentionDays = int(n)
	}
	for _, c := range p.CorsConfiguration.CorsRules {
		b.CORS = append(b.CORS, CORSRule(c))
	}
	t.Buckets = append(t.Buckets, b)
	return nil
}

// streamTable is the logical ID of the table whose stream ARN arn is (GetAtt Table.StreamArn).
func (r resolver) streamTable(arn string) string {
	for id, typ := range r.types {
		if typ == "AWS::DynamoDB::Table" && strings.HasPrefix(arn, r.arn(id)+"/stream/") {
			return id
		}
	}
	return ""
}

// keyRef is the placeholder Ref of a KMS key resolves to until the key exists.
func (r resolver) keyRef(id string) string { return "<key ID of " + id + ">" }

func (t *Template) addKey(id string, props json.RawMessage, r resolver) error {
	var p struct{ KeySpec, KeyUsage string }
	if err := json.Unmarshal(props, &p); err != nil {
		return err
	}
	t.Keys = append(t.Keys, Key{LogicalID: id, KeySpec: p.KeySpec, KeyUsage: p.KeyUsage, Ref: r.keyRef(id)})
	return nil
}

func (t *Template) addStateMachine(id string, props json.RawMessage, r resolver) error {
	var p struct {
		Type                    string
		DefinitionUri           any
		DefinitionSubstitutions map[string]any
	}
	if err := json.Unmarshal(props, &p); err != nil {
		return err
	}
	uri, ok := p.DefinitionUri.(string)
	if !ok || uri == "" {
		return fmt.Errorf("DefinitionUri must be a local file")
	}
	t.StateMachines = append(t.StateMachines, StateMachine{LogicalID: id, Name: r.physical(id), ARN: r.arn(id),
		Type: p.Type, DefinitionURI: uri, Substitutions: stringMap(p.DefinitionSubstitutions)})
	return nil
}

func (t *Template) addHTTPAPI(props json.RawMessage) error {
	var p struct {
		Auth struct {
			DefaultAuthorizer string
			Authorizers       map[string]struct {
				IdentitySource   string
				JwtConfiguration struct {
					Issuer   string `json:"issuer"`
					Audience []any  `json:"audience"`
				}
			}
		}
	}
	if err := json.Unmarshal(props, &p); err != nil {
		return err
	}
	a, ok := p.Auth.Authorizers[p.Auth.DefaultAuthorizer]
	if !ok {
		return fmt.Errorf("the HTTP API has no default JWT authorizer")
	}
	t.Authorizer = JWTAuthorizer{Name: p.Auth.DefaultAuthorizer, IdentitySource: a.IdentitySource, Issuer: a.JwtConfiguration.Issuer}
	for _, aud := range a.JwtConfiguration.Audience {
		t.Authorizer.Audience = append(t.Authorizer.Audience, fmt.Sprint(aud))
	}
	return nil
}

// Definition returns the state machine's definition with its substitutions applied, failing if
// a placeholder has no substitution.
func (sm StateMachine) Definition(root string) (string, error) {
	raw, err := os.ReadFile(joinRoot(root, sm.DefinitionURI))
	if err != nil {
		return "", fmt.Errorf("state machine %s: %w", sm.LogicalID, err)
	}
	def := string(raw)
	for k, v := range sm.Substitutions {
		def = strings.ReplaceAll(def, "${"+k+"}", v)
	}
	if i := strings.Index(def, "${"); i >= 0 {
		end := strings.IndexByte(def[i:], '}')
		if end < 0 {
			end = len(def) - i - 1
		}
		return "", fmt.Errorf("state machine %s: placeholder %s has no DefinitionSubstitution", sm.LogicalID, def[i:i+end+1])
	}
	return def, nil
}

func joinRoot(root, rel string) string {
	if root == "" || strings.HasPrefix(rel, "/") {
		return rel
	}
	return strings.TrimSuffix(root, "/") + "/" + rel
}
