package api

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"attestation/internal/dynamostore"
	"attestation/internal/policy"
	"attestation/internal/register"
	"attestation/internal/s3store"
	"attestation/internal/signing"
	"attestation/internal/wiring"
)

// registerPublic builds the service of the public routes of the register (§29): entries from the
// table, the verifying key from KMS (SIGNING_KEY_ID), the certificate's PDF presigned from the
// records bucket; and the policy that numbers certificates.
func registerPublic(awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (*register.PublicService, *policy.Edition, error) {
	if cfg.SigningKeyID == "" {
		return nil, nil, fmt.Errorf("public register: SIGNING_KEY_ID is not set (the KMS key whose public key verifies the register)")
	}
	ed, err := policy.Load(cfg.PolicyEdition)
	if err != nil {
		return nil, nil, fmt.Errorf("public register: %w", err)
	}
	key := &publishedKey{api: kms.NewFromConfig(awsCfg), keyID: cfg.SigningKeyID}
	svc := register.NewPublicService(dynamostore.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName), key, cfg.SigningKeyID,
		cfg.PublicBaseURL, s3store.NewFiles(wiring.NewS3(awsCfg, cfg), cfg.RecordsBucket), log)
	return svc, ed, nil
}

// publicKeyAPI is the part of the KMS client the published key reads.
type publicKeyAPI interface {
	GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// publishedKey is the register's verifying key as KMS reports it: the PEM and the key's ID as
// KMS names it in its signatures (the key's ARN in AWS). The first successful read is kept for
// the life of the function; a failed one is not.
type publishedKey struct {
	api   publicKeyAPI
	keyID string

	mu    sync.Mutex
	pem   []byte
	keyOf string
}

var (
	_ register.KeySource     = (*publishedKey)(nil)
	_ register.KeyIdentifier = (*publishedKey)(nil)
)

func (k *publishedKey) load(ctx context.Context) ([]byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pem != nil {
		return k.pem, k.keyOf, nil
	}
	out, err := k.api.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(k.keyID)})
	if err != nil {
		return nil, "", fmt.Errorf("kms get public key %s: %w", k.keyID, err)
	}
	pem := signing.EncodePublicKeyPEM(out.PublicKey)
	if _, err := signing.ParsePublicKeyPEM(pem); err != nil {
		return nil, "", fmt.Errorf("kms get public key %s: %w", k.keyID, err)
	}
	keyOf := aws.ToString(out.KeyId)
	if !strings.HasPrefix(keyOf, "arn:") {
		// KMS names the key by its ARN, in signatures and here; an emulator that answers the
		// bare ID is asked for the ARN.
		d, err := k.api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.keyID)})
		if err != nil {
			return nil, "", fmt.Errorf("kms describe key %s: %w", k.keyID, err)
		}
		keyOf = aws.ToString(d.KeyMetadata.Arn)
	}
	k.pem, k.keyOf = pem, keyOf
	return k.pem, k.keyOf, nil
}

// PublicKeyPEM is the key's public half as a "PUBLIC KEY" PEM block.
func (k *publishedKey) PublicKeyPEM(ctx context.Context) ([]byte, error) {
	pem, _, err := k.load(ctx)
	return append([]byte(nil), pem...), err
}

// KeyID is the key's ID as KMS reports it.
func (k *publishedKey) KeyID(ctx context.Context) (string, error) {
	_, id, err := k.load(ctx)
	return id, err
}
