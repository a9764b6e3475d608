package localstack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"attestation/internal/samtemplate"
)

// provision creates the template's keys, tables, buckets and state machines in moto, and puts
// each created key's ID where the functions' environment refers to the key.
func provision(ctx context.Context, c Clients, t *samtemplate.Template, root string) error {
	for _, k := range t.Keys {
		out, err := c.KMS.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpec(k.KeySpec),
			KeyUsage: kmstypes.KeyUsageType(k.KeyUsage), Description: aws.String(k.LogicalID + " of the local stack")})
		if err != nil {
			return fmt.Errorf("key %s: %w", k.LogicalID, err)
		}
		t.SetKeyID(k.LogicalID, aws.ToString(out.KeyMetadata.KeyId))
	}
	for _, tb := range t.Tables {
		if err := createTable(ctx, c.DynamoDB, tb); err != nil {
			return fmt.Errorf("table %s: %w", tb.LogicalID, err)
		}
	}
	for _, b := range t.EventBuses {
		if _, err := c.Events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(b.Name)}); err != nil {
			return fmt.Errorf("event bus %s: %w", b.LogicalID, err)
		}
	}
	for _, id := range t.EmailIdentities {
		if _, err := c.SES.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(id)}); err != nil {
			return fmt.Errorf("email identity %s: %w", id, err)
		}
	}
	for _, b := range t.Buckets {
		if err := createBucket(ctx, c.S3, b); err != nil {
			return fmt.Errorf("bucket %s: %w", b.LogicalID, err)
		}
	}
	for _, sm := range t.StateMachines {
		def, err := sm.Definition(root)
		if err != nil {
			return err
		}
		typ := sfntypes.StateMachineTypeStandard
		if sm.Type == "EXPRESS" {
			typ = sfntypes.StateMachineTypeExpress
		}
		if _, err := c.SFN.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: &sm.Name, Definition: &def, Type: typ,
			RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/%s-role", AccountID, sm.Name))}); err != nil {
			return fmt.Errorf("state machine %s: %w", sm.LogicalID, err)
		}
	}
	return nil
}

func createTable(ctx context.Context, db *dynamodb.Client, tb samtemplate.Table) error {
	in := &dynamodb.CreateTableInput{TableName: &tb.Name, BillingMode: ddbtypes.BillingMode(tb.BillingMode)}
	for _, a := range tb.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: ddbtypes.ScalarAttributeType(a.AttributeType)})
	}
	in.KeySchema = keySchema(tb.KeySchema)
	for _, g := range tb.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: keySchema(g.KeySchema),
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionType(g.Projection.ProjectionType),
				NonKeyAttributes: g.Projection.NonKeyAttributes}})
	}
	if tb.StreamViewType != "" {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(tb.StreamViewType)}
	}
	if _, err := db.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if tb.TTLAttribute != "" {
		if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &tb.Name,
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: &tb.TTLAttribute, Enabled: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("time to live: %w", err)
		}
	}
	if tb.PointInTimeRecovery {
		if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: &tb.Name,
			PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("point-in-time recovery: %w", err)
		}
	}
	return nil
}

func keySchema(ks []samtemplate.KeyElement) []ddbtypes.KeySchemaElement {
	var out []ddbtypes.KeySchemaElement
	for _, k := range ks {
		out = append(out, ddbtypes.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: ddbtypes.KeyType(k.KeyType)})
	}
	return out
}

func createBucket(ctx context.Context, c *s3.Client, b samtemplate.Bucket) error {
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &b.Name, ObjectLockEnabledForBucket: aws.Bool(b.ObjectLock)}); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if b.Versioning {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b.Name,
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			return fmt.Errorf("versioning: %w", err)
		}
	}
	if b.Encryption != "" {
		if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &b.Name,
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryption(b.Encryption)}}}}}); err != nil {
			return fmt.Errorf("encryption: %w", err)
		}
	}
	if b.BlockPublicAccess {
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &b.Name,
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
				BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("public access block: %w", err)
		}
	}
	if len(b.CORS) > 0 {
		var rules []s3types.CORSRule
		for _, c := range b.CORS {
			rules = append(rules, s3types.CORSRule{AllowedOrigins: c.AllowedOrigins, AllowedMethods: c.AllowedMethods,
				AllowedHeaders: c.AllowedHeaders, ExposeHeaders: c.ExposedHeaders, MaxAgeSeconds: aws.Int32(c.MaxAge)})
		}
		if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: &b.Name, CORSConfiguration: &s3types.CORSConfiguration{CORSRules: rules}}); err != nil {
			return fmt.Errorf("CORS: %w", err)
		}
	}
	if b.ObjectLock && b.LockMode != "" {
		if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: &b.Name,
			ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
				Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{
					Mode: s3types.ObjectLockRetentionMode(b.LockMode), Days: aws.Int32(int32(b.LockRetentionDays))}}}}); err != nil {
			return fmt.Errorf("object lock: %w", err)
		}
	}
	return nil
}
