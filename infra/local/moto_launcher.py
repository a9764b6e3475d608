"""moto_server for the attestation system's local stack (see ../../README.md, "How the local stack maps to AWS").

    LAMBDA_ENDPOINT=http://127.0.0.1:3001 python3 moto_launcher.py -H 127.0.0.1 -p 3002

Stock moto_server cannot run the workflow; this launcher patches moto 5.2.1 (and refuses any other
version, because the patches reach into private functions):
  1. Step Functions executes state machines (execute_state_machine) from the start.
  2. StartExecution deep-copies the state machine with its executions and their thread locks: the
     second execution in a region fails with "cannot pickle '_thread.RLock'". Shallow copy instead.
  3. StartExecution without a name gets an ARN ending in ":None": give it a UUID.
  4. The engine's Lambda client calls LAMBDA_ENDPOINT (the local Invoke API served by the Go
     process) instead of moto's own Lambda, which needs Docker; one client per region, cached.
  5. SendTaskFailure passes its cause through (5.2.1 drops it).
  6. JSONPath expressions are parsed once, and moto's module list is computed once (together ~60%
     of moto's CPU per request otherwise). That holds for EventBridge too: 5.2.1 builds a new
     JSONPath parser (its LALR tables, by reading its own source files) for every input path of
     every target of every PutEvents, about 40% of moto's CPU in the end-to-end suite.
  7. The server exits when the process that started it is gone, so nothing is left behind.
  8. KMS Sign and Verify with an ECC key honour MessageType DIGEST (5.2.1 ignores it and hashes
     the digest again, so its signatures would not verify as AWS KMS's do).
  9. DynamoDB requests run one at a time, as DynamoDB's own conditional writes and transactions are
     atomic; moto's threads could otherwise interleave between a condition and its write. And a
     TransactWriteItems keeps for its rollback only the items it touches: 5.2.1 deep-copies every
     table it names, on each call, and on a failed transaction (a condition that does not hold is
     the usual way to change state once) puts the copies back, erasing whatever another request
     wrote in between. The copies also made each transaction cost as much as the whole table.
 10. A PUT that carries a checksum (x-amz-checksum-<algorithm>, as a header or, in a presigned URL,
     as a query parameter; x-amz-sdk-checksum-algorithm likewise) is checked against its bytes as S3
     checks it: other bytes are refused with 400 BadDigest and nothing is stored. 5.2.1 stores the
     declared value without computing it, and ignores both when they come in the query, so a
     HeadObject with checksum mode would then report a checksum the bytes do not have, or none.
 11. DynamoDB attribute values are written into responses directly: 5.2.1's serializer walks the
     botocore shape of every AttributeValue member by member, looking up aliases for each (about
     80% of moto's CPU in the end-to-end suite, a Scan of a few hundred items taking a second).
     The bytes on the wire are the same (a value it cannot vouch for goes the slow way).
 12. A table's items are sorted (every Query and Scan sorts the whole table) by their keys' values
     computed once per item, not once per comparison: the same order, a fraction of the CPU.
 13. SES v2 refuses mail as SES can, for addresses in the reserved domain .invalid (RFC 2606), which
     no real recipient has: to <anyone>@refused.invalid with MessageRejected (SES will not send the
     message: an unverified recipient in the sandbox, a suppressed address), to
     <anyone>@unavailable.invalid with SendingPausedException (the account's sending is paused: a
     refusal that lasts until someone acts). 5.2.1 accepts every address, so without it a
     delivery's bounced and failed outcomes could not be reached locally.
 14. Each request is logged only when MOTO_REQUEST_LOG is set (the local stack sets it when it shows
     moto's log): werkzeug writes a coloured line per request through logging, about 11% of moto's
     CPU, to an output nobody reads otherwise.
 15. A Query of the table reads the items of its partition key alone, and a Query of an index sorts
     only the items it matched: 5.2.1 sorts the whole table for every Query and then goes through
     it all, so each Query cost as much as the table. The results and their order are the same.
 16. An execution evaluates its state machine's definition parsed once, not parsed again for each
     execution (5-8% of moto's CPU in the end-to-end suite), nor again after CreateStateMachine
     parsed it to validate it (0.7 s of CPU for this project's definition, in every suite). The
     parsed states keep nothing of an execution: what one needs across its steps (a retrier's
     attempts) lives in the execution's own heap, under a key fixed by the state (5.2.1 draws it on
     first use, which two executions could do at once).
 17. A Retry waits its interval times MOTO_SFN_RETRY_SCALE (a number, 1 when unset): the tests set 0.01,
     so a task that fails four times costs 0.15 s rather than 15 s of sleeping. The attempts, their
     number and the backoff are the definition's; only the sleep between them is scaled. make run
     keeps the intervals as written.
 18. moto keeps only the mail it sent among its models' instances: 5.2.1 appends every instance of
     every model it ever makes to a list it never empties (each DynamoDB item and each of its
     copies, every execution's event), for /moto-api/data.json, which walks them all with dir() and
     json.dumps. The local stack reads the sent mail there, so each look at the mail cost more than
     the one before (17% of moto's CPU in the end-to-end suite), and the lists held everything
     moto had ever made. SES's messages are still listed as before.
 19. Connections are kept between requests (HTTP/1.1 keep-alive), as AWS's endpoints keep them:
     werkzeug's server closes each after one response, so every request cost a new TCP connection
     and a new thread (about a third of the end-to-end suite's time). A request's body is read to
     its Content-Length before the next request is read; werkzeug's own read after a response
     (whatever is on the socket, thrown away) would swallow that next request and is skipped. This
     is safe for the SDK only with its request bodies mended (internal/wiring/awshttp): a faster
     answer made a defect of the SDK's frequent, by which it sent again requests moto had carried
     out.
 20. Per request, moto no longer lists its response class's methods with inspect.getmembers (about a
     tenth of a request's CPU: the list is computed once per class, as the class does not change),
     draws its 52-character request IDs with one call to its random source rather than 52, and
     Flask's debug mode (moto turns it on) no longer builds a class for every request with a body.
 21. moto's Batch package is imported only when Batch is used: the Step Functions engine imports
     it (for its Batch task's job states, a small module), and its package imports EC2's models,
     which read every region's zones and every instance type from moto's data files at import,
     about half of moto's start (1.4 of 2.7 s; moto starts for every suite of the tests).
     The package is stood in for by one that lists the same directory and loads its models on the
     first use of batch_backends, as moto's backend lookup asks.
 22. DynamoDB's Query and Scan do less for the same answer (a third of moto's CPU in the end-to-end
     suite went to Query):
     - 5.2.1 measures a map by wrapping each of its values again, the whole subtree below each
       level; the patch measures the values as they are, to the same numbers. A Query or Scan
       measures each item it returns twice (for the 1 MB page): patch 26 keeps the size.
     - It projects an item (an index's INCLUDE or KEYS_ONLY, a ProjectionExpression) by converting
       the whole item to plain values once for each attribute it keeps; a projection of top-level
       attributes now converts only those (one with a nested path or a list index goes the old
       way).
     - It deep-copies every item a Query or Scan returns, so that its caller cannot change the
       table through them. Here nothing can: the response is written from them under patch 9's
       lock, and a projection or filter reads them only. They are not copied.
     - Two strings compare as strings (5.2.1 goes through the generic cast of each value, for
       every item an index's Query looks at).
 23. A Query of an index looks only at the items whose index partition key has the queried value:
     the table's items are grouped by that value once, and the groups kept until the next request
     that may write to DynamoDB (under patch 9's lock, so no write can come between). 5.2.1 goes
     through every item of the table for each Query of an index (over half of a Query's CPU in the
     end-to-end suite, whose tables grow to thousands of items). The items matched, and so the
     results and their order, are the same; an index keyed by more than one attribute, or a Query
     without the value, goes the old way.
 24. DynamoDB items are built and turned into plain values without doing the same work again (about
     a tenth of moto's CPU in the end-to-end suite):
     - 5.2.1 checks an item's 400 KB limit after each attribute it adds, measuring again all those
       added before (the item's whole size, once per attribute: each PutItem, each item of a
       transaction, each projection). Sizes are not negative, so the last check is the largest:
       the item is measured once, when whole, and refused with the same error when over.
     - It turns a value into plain values (for every stream record's images, a projection, an
       update's ReturnValues) by deep-copying it at each level and converting the copies, so a
       value nested n levels deep was copied n times. Each level is now built once, as new lists
       and dicts: the same values, sharing nothing with the item.
 25. A DynamoDB result (a Query's, a GetItem's) is turned into plain values for the serializer
     without asking each string whether it has a to_json method: 5.2.1's dynamo_to_dict goes through
     four tests for every value, nested ones too, and answered a Query of five case items in 2.5 ms
     of CPU; now 0.45 ms. Dicts, lists, strings, numbers and DynamoDB values other than binary ones
     are taken directly; anything else (binary values, items, dates) goes to 5.2.1's function, which
     comes back here for what it holds.
 26. An item's size is kept on the item until an update changes it: 5.2.1 measures every item a
     Query or Scan returns (for its 1 MB page) on every read, walking all its values (9% of moto's
     CPU in the end-to-end suite). moto changes an item it holds in place only in update_item
     (UpdateItem, and a transaction's Update); the patch forgets the size of the item there, after
     the update, whether it applied or not. A put, a transaction's rollback and a copy make new
     items, which are measured anew.
 27. An UpdateItem's expression is validated with less walking (7% of moto's CPU): 5.2.1 checks the
     number of clauses and the overlapping paths at every node of the expression's tree, each time
     finding the clauses below it again, and asks each of its ten traversals, at every node, which
     node types it processes. The patch asks once per traversal, and makes the two checks at the
     root, whose clauses include those of every node below it: what holds there holds below. Where
     the root's check fails, 5.2.1's whole traversal runs and raises what it raised.
 28. DynamoDB attribute values in a request are taken from its JSON directly: 5.2.1's parser walks
     the botocore shape of each AttributeValue, member by member, for every value, nested ones too
     (4% of moto's CPU). Strings, numbers, booleans, nulls, sets of strings or numbers, maps and
     lists give the same values; binary values, and anything no SDK sends, go the old way.
 29. A request's headers are read without the email package's parser where every line is a plain
     "Name: value" of printable ASCII ending in CRLF, as every SDK sends them: the message built is
     the one the parser builds (4% of moto's CPU). Any other block goes to the parser.
 30. Patch 11 for a whole map of attribute values (an item, a key): written in one go, without the
     serializer's steps for each attribute (its path, its shape, its name), about 5% of moto's CPU.
     A map holding a value patch 11 cannot vouch for goes the old way, whole.
MOTO_PROFILE=<file> writes a sampling profile of moto's threads to <file>.<pid> when moto stops
(moto_sampler.py): how the patches above were found.
MOTO_PORT is removed from the environment: moto takes its port from -p only when it is unset.
"""
import os
import sys

os.environ.pop("MOTO_PORT", None)

REQUIRED = "5.2.1"

try:
    import moto
except ImportError:
    sys.stderr.write(
        "local stack: moto is not installed for %s; install moto[server]==%s (pip install 'moto[server]==%s')\n"
        % (sys.executable, REQUIRED, REQUIRED))
    sys.exit(3)

if moto.__version__ != REQUIRED:
    sys.stderr.write(
        "local stack: moto %s found for %s, but the launcher patches moto %s exactly; install moto[server]==%s\n"
        % (moto.__version__, sys.executable, REQUIRED, REQUIRED))
    sys.exit(3)

# 21 (before anything imports moto.batch: the Step Functions parser below does)
import importlib.util  # noqa: E402
import types  # noqa: E402


def _stand_in_for_batch():
    spec = importlib.util.find_spec("moto.batch")
    pkg = types.ModuleType("moto.batch")
    pkg.__file__ = spec.origin
    pkg.__path__ = list(spec.submodule_search_locations)
    pkg.__package__ = "moto.batch"
    pkg.__spec__ = spec

    def __getattr__(name):
        # moto.backends asks for batch_backends; the real package's __init__ imports only that.
        if name == "batch_backends":
            from moto.batch.models import batch_backends
            return batch_backends
        raise AttributeError("module 'moto.batch' has no attribute %r" % name)

    pkg.__getattr__ = __getattr__
    sys.modules["moto.batch"] = pkg
    moto.batch = pkg


_stand_in_for_batch()

import copy  # noqa: E402
import functools  # noqa: E402
import socket  # noqa: E402
import string  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import jsonpath_ng  # noqa: E402
import jsonpath_ng.ext  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import utils as asym_utils  # noqa: E402
from moto import backends as moto_backends  # noqa: E402
from moto.core.config import default_user_config  # noqa: E402
from moto.kms import responses as kms_responses  # noqa: E402
from moto.kms import utils as kms_utils  # noqa: E402
from moto.core.exceptions import JsonRESTError  # noqa: E402
from moto.server import main  # noqa: E402
from moto.sesv2 import models as sesv2_models  # noqa: E402
from moto.stepfunctions import models as sfn_models  # noqa: E402
from moto.stepfunctions import responses as sfn_responses  # noqa: E402
from moto.stepfunctions.parser import models as parser_models  # noqa: E402
from moto.stepfunctions.parser.asl.component.common.path import result_path as sfn_result_path  # noqa: E402
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils  # noqa: E402
from moto.stepfunctions.parser.asl.utils import boto_client  # noqa: E402
from moto.stepfunctions.parser.asl.utils import json_path as sfn_json_path  # noqa: E402

# 1
default_user_config["stepfunctions"] = {"execute_state_machine": True}


# 2
def _state_machine_deepcopy(self, memo):
    clone = copy.copy(self)
    clone.executions = []
    return clone


sfn_models.StateMachine.__deepcopy__ = _state_machine_deepcopy

# 3
_start_execution = parser_models.StepFunctionsParserBackend.start_execution


def _start_execution_named(self, state_machine_arn, name=None, *args, **kwargs):
    return _start_execution(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)


parser_models.StepFunctionsParserBackend.start_execution = _start_execution_named

# 4
LAMBDA_ENDPOINT = os.environ.get("LAMBDA_ENDPOINT")
_client_for = boto_client.boto_client_for
_lambda_clients = {}
_lambda_clients_lock = threading.Lock()


def _local_client_for(region, service, state_credentials=None):
    if service != "lambda" or not LAMBDA_ENDPOINT:
        return _client_for(region, service, state_credentials)
    with _lambda_clients_lock:
        client = _lambda_clients.get(region)
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "lambda", region_name=region, endpoint_url=LAMBDA_ENDPOINT,
                aws_access_key_id="local", aws_secret_access_key="local",
                config=Config(parameter_validation=False, retries={"total_max_attempts": 1},
                              connect_timeout=5, read_timeout=900, max_pool_connections=64),
            )
            _lambda_clients[region] = client
        return client


boto_client.boto_client_for = _local_client_for
lambda_eval_utils.boto_client_for = _local_client_for


# 5
def _send_task_failure(self):
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause"))
    return sfn_responses.EmptyResult()


sfn_responses.StepFunctionResponse.send_task_failure = _send_task_failure

# 6
sfn_json_path.parse = functools.lru_cache(maxsize=8192)(jsonpath_ng.ext.parse)
sfn_result_path.parse = functools.lru_cache(maxsize=8192)(jsonpath_ng.parse)
# moto.events.utils imports jsonpath_ng.ext.parse inside the function, on each call.
jsonpath_ng.ext.parse = sfn_json_path.parse
_modules = tuple(moto_backends.list_of_moto_modules())
moto_backends.list_of_moto_modules = lambda: _modules


# MOTO_PROFILE: a sampling profile of moto's threads (moto_sampler.py), written when moto stops.
_sampler = None
if os.environ.get("MOTO_PROFILE"):
    import atexit  # noqa: E402

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import moto_sampler as _sampler  # noqa: E402

    _sampler.start()
    atexit.register(_sampler.write)  # moto's SIGTERM handler exits through sys.exit


# 7
def _exit_with_parent(parent):
    while True:
        if os.getppid() != parent:
            if _sampler is not None:
                _sampler.write()
            os._exit(0)
        time.sleep(0.5)


threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()

# 8
_kms_digest = threading.local()


def _honour_message_type(handler):
    def run(self):
        _kms_digest.on = self._get_param("MessageType") == "DIGEST"
        try:
            return handler(self)
        finally:
            _kms_digest.on = False
    return run


kms_responses.KmsResponse.sign = _honour_message_type(kms_responses.KmsResponse.sign)
kms_responses.KmsResponse.verify = _honour_message_type(kms_responses.KmsResponse.verify)
_ecdsa_hash = kms_utils.ECDSAPrivateKey._ECDSAPrivateKey__hash_algorithm


def _ecdsa_hash_or_prehashed(self, signing_algorithm):
    algorithm = _ecdsa_hash(self, signing_algorithm)
    return asym_utils.Prehashed(algorithm) if getattr(_kms_digest, "on", False) else algorithm


kms_utils.ECDSAPrivateKey._ECDSAPrivateKey__hash_algorithm = _ecdsa_hash_or_prehashed


# 9
from moto.dynamodb import models as ddb_models  # noqa: E402
from moto.dynamodb import responses as ddb_responses  # noqa: E402
from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: E402
from moto.dynamodb.models.table import Table as DynamoTable  # noqa: E402

_ddb_lock = threading.RLock()
_ddb_call_action = ddb_responses.DynamoHandler.call_action


# Patch 23's generation: bumped by every DynamoDB request that may write, under the lock.
_ddb_generation = [0]
_DDB_READS = frozenset(("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "ListTables",
                        "DescribeTimeToLive", "DescribeContinuousBackups", "ListTagsOfResource", "DescribeEndpoints"))


def _ddb_one_at_a_time(self):
    with _ddb_lock:
        if self._get_action() not in _DDB_READS:
            _ddb_generation[0] += 1
        return _ddb_call_action(self)


ddb_responses.DynamoHandler.call_action = _ddb_one_at_a_time


class _TablesAreNotCopied:
    """moto.dynamodb.models' copy module, but for a Table, which it copies only for the rollback
    of transact_write_items; _transact_write_items restores the touched items instead."""

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, DynamoTable) else copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


ddb_models.copy = _TablesAreNotCopied
_transact_write_items = ddb_models.DynamoDBBackend.transact_write_items


def _touched(backend, transact_items):
    """The items a transaction names, as they are now (None for an item not yet there)."""
    saved = {}
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        attrs = op.get("Item") or op.get("Key") if table is not None else None
        if not attrs:
            continue
        try:
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        except (KeyError, TypeError, AttributeError):
            continue  # the transaction itself refuses such an entry
        key = (table.name, hash_key, range_key)
        if key not in saved:
            saved[key] = (table, copy.deepcopy(table.get_item(hash_key, range_key)))
    return saved


def _restore(saved):
    for (_, hash_key, range_key), (table, item) in saved.items():
        if item is None:
            table.delete_item(hash_key, range_key)
        elif range_key is not None:
            table.items[hash_key][range_key] = item
        else:
            table.items[hash_key] = item


def _transact_write_items_touched_only(self, transact_items):
    with _ddb_lock:
        saved = _touched(self, transact_items)
        try:
            return _transact_write_items(self, transact_items)
        except Exception:
            _restore(saved)
            raise


ddb_models.DynamoDBBackend.transact_write_items = _transact_write_items_touched_only


# 10
from moto.s3 import exceptions as s3_exceptions  # noqa: E402
from moto.s3 import responses as s3_responses  # noqa: E402
from moto.s3.utils import compute_checksum  # noqa: E402

_CHECKSUM_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def _computable(algorithm):
    """Whether moto computes algorithm faithfully here (without its optional libraries it falls back to CRC32)."""
    if algorithm == "CRC32C":
        try:
            import crc32c  # noqa: F401
        except ImportError:
            return False
    if algorithm == "CRC64NVME":
        from moto.s3 import utils as s3_utils
        return bool(getattr(s3_utils, "HAS_CRT", False))
    return True


class BadDigest(s3_exceptions.S3ClientError):
    code = "BadDigest"

    def __init__(self, algorithm):
        super().__init__("BadDigest", "The %s you specified did not match the calculated checksum." % algorithm)


def _header_or_query(response, name):
    value = response.headers.get(name)
    if value:
        return value
    for key, values in (getattr(response, "querystring", None) or {}).items():
        if key.lower() == name:
            return values[0] if isinstance(values, list) else values
    return None


def _get_checksum_checked(self, response_headers):
    algorithm = (_header_or_query(self, "x-amz-sdk-checksum-algorithm") or "").upper()
    declared = None
    for candidate in _CHECKSUM_ALGORITHMS:
        value = _header_or_query(self, "x-amz-checksum-" + candidate.lower())
        if value:
            algorithm, declared = candidate, value
            break
    streaming = (self.headers.get("x-amz-content-sha256") or "").startswith("STREAMING-")
    if declared is None or streaming or not _computable(algorithm):
        # No checksum given with the request (or it travels in an aws-chunked trailer): moto's own way.
        return _get_checksum(self, response_headers)
    if isinstance(declared, bytes):
        declared = declared.decode("utf-8")
    computed = compute_checksum(self.body or b"", algorithm=algorithm).decode("utf-8")
    if computed != declared:
        raise BadDigest(algorithm)
    response_headers["x-amz-checksum-" + algorithm.lower()] = declared
    return algorithm, declared


_get_checksum = s3_responses.S3Response._get_checksum
s3_responses.S3Response._get_checksum = _get_checksum_checked


# 11
import base64  # noqa: E402

from moto.core import serialize as moto_serialize  # noqa: E402

_ATTRIBUTE_VALUE_MEMBERS = frozenset(("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"))


class _NotPlain(Exception):
    """A value the fast path does not write: the shape-driven serializer writes it."""


def _b64(value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        raise _NotPlain
    return base64.b64encode(value).strip().decode("utf-8")


def _attribute_value(value):
    """The wire form of one AttributeValue ({type: value}), as the serializer writes it."""
    if not isinstance(value, dict) or len(value) != 1:
        raise _NotPlain
    ((kind, inner),) = value.items()
    if inner is None or kind not in _ATTRIBUTE_VALUE_MEMBERS:
        raise _NotPlain
    if kind in ("S", "N"):
        if not isinstance(inner, str):
            raise _NotPlain
        return {kind: inner}
    if kind in ("BOOL", "NULL"):
        if not isinstance(inner, bool):
            raise _NotPlain
        return {kind: inner}
    if kind == "B":
        return {kind: _b64(inner)}
    if not isinstance(inner, (list, tuple)) and kind != "M":
        raise _NotPlain
    if kind in ("SS", "NS"):
        if not all(isinstance(x, str) for x in inner):
            raise _NotPlain
        return {kind: list(inner)}
    if kind == "BS":
        return {kind: [_b64(x) for x in inner]}
    if kind == "L":
        return {kind: [_attribute_value(x) for x in inner]}
    if not isinstance(inner, dict):
        raise _NotPlain
    return {kind: {k: _attribute_value(x) for k, x in inner.items()}}


_serialize_json_structure = moto_serialize.BaseJSONSerializer._serialize_type_structure


def _is_attribute_value(shape):
    # DynamoDB's AttributeValue shape, known by its members (asked once per shape: a service's
    # model, and so its shapes, live as long as moto).
    known = shape.__dict__.get("_attestation_attribute_value")
    if known is None:
        known = (shape.name == "AttributeValue" and frozenset(shape.members) == _ATTRIBUTE_VALUE_MEMBERS
                 and "name" not in shape.serialization)
        shape._attestation_attribute_value = known
    return known


def _serialize_json_structure_fast(self, serialized, value, shape, key):
    if key and _is_attribute_value(shape):
        try:
            serialized[self.get_serialized_name(shape, key)] = _attribute_value(value)
            return
        except _NotPlain:
            pass
    _serialize_json_structure(self, serialized, value, shape, key)


moto_serialize.BaseJSONSerializer._serialize_type_structure = _serialize_json_structure_fast

# 30 (patch 11 for a whole map of attribute values: an item, a key)
_serialize_json_map = moto_serialize.BaseJSONSerializer._serialize_type_map


def _serialize_json_map_fast(self, serialized, value, shape, key):
    if type(value) is dict and _is_attribute_value(shape.value):
        try:
            wire = self.MAP_TYPE()
            for name, attribute in value.items():
                wire[name] = _attribute_value(attribute)
        except _NotPlain:
            pass
        else:
            self._default_serialize(serialized, wire, shape, key)
            return
    _serialize_json_map(self, serialized, value, shape, key)


moto_serialize.BaseJSONSerializer._serialize_type_map = _serialize_json_map_fast


# 12
def _key_values(item):
    if item.range_key:
        return (item.hash_key.cast_value, item.range_key.cast_value)
    return item.hash_key.cast_value


def _unsorted_items(self):
    items = []
    for hash_set in self.items.values():
        if self.range_key_attr:
            items.extend(hash_set.values())
        else:
            items.append(hash_set)
    return items


def _all_items_sorted_once(self):
    return sorted(_unsorted_items(self), key=_key_values)


DynamoTable.all_items = _all_items_sorted_once


# 13
class _SESRefusal(JsonRESTError):
    def __init__(self, error_type, message):
        super().__init__(error_type, message)
        self.code = 400


def _refuse_reserved(destinations):
    for address in destinations:
        domain = address.rsplit("@", 1)[-1].lower().rstrip(">")
        if domain == "refused.invalid":
            raise _SESRefusal("MessageRejected", "Email address is not verified: " + address)
        if domain == "unavailable.invalid":
            raise _SESRefusal("SendingPausedException", "Sending is paused for this account.")


def _all_destinations(destinations):
    if isinstance(destinations, dict):
        out = []
        for key in ("ToAddresses", "CcAddresses", "BccAddresses"):
            out.extend(destinations.get(key) or [])
        return out
    return list(destinations or [])


_sesv2_send_email = sesv2_models.SESV2Backend.send_email
_sesv2_send_raw_email = sesv2_models.SESV2Backend.send_raw_email


def _send_email_refusing(self, source, destinations, subject, body):
    _refuse_reserved(_all_destinations(destinations))
    return _sesv2_send_email(self, source, destinations, subject, body)


def _send_raw_email_refusing(self, source, destinations, raw_data):
    _refuse_reserved(_all_destinations(destinations))
    return _sesv2_send_raw_email(self, source, destinations, raw_data)


sesv2_models.SESV2Backend.send_email = _send_email_refusing
sesv2_models.SESV2Backend.send_raw_email = _send_raw_email_refusing


# 14
if not os.environ.get("MOTO_REQUEST_LOG"):
    import logging  # noqa: E402

    logging.getLogger("werkzeug").setLevel(logging.WARNING)


# 15
_query_of = threading.local()
_ddb_query = DynamoTable.query


def _query_reading_less(self, hash_key, *args, **kwargs):
    index_name = kwargs.get("index_name")
    if index_name is None and len(args) >= 7:
        index_name = args[6]
    _query_of.table, _query_of.hash_key, _query_of.index = self, hash_key, index_name
    try:
        return _ddb_query(self, hash_key, *args, **kwargs)
    finally:
        _query_of.table = None


def _all_items_for_the_query(self):
    if getattr(_query_of, "table", None) is not self:
        return _all_items_sorted_once(self)
    if _query_of.index is not None:
        # query() sorts what it matched by the index's keys and the table's: any order in.
        return _index_partition(self, _query_of.index, _query_of.hash_key)
    # query() keeps the items whose hash key is the query's, then sorts them by range key.
    hash_set = self.items.get(_query_of.hash_key) if _query_of.hash_key is not None else None
    if hash_set is None:
        return []
    if self.range_key_attr:
        return list(hash_set.values())
    return [hash_set]


DynamoTable.query = _query_reading_less
DynamoTable.all_items = _all_items_for_the_query


# 23
def _index_partition(table, index_name, hash_key):
    # A DynamoType hashes and compares by its type and cast value, as query() compares keys.
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"] if index is not None else []
    if hash_key is None or len(hash_attrs) != 1:
        return _unsorted_items(table)
    kept = table.__dict__.get("_partitions_23")
    if kept is None or kept[0] != _ddb_generation[0]:
        kept = (_ddb_generation[0], {})
        table._partitions_23 = kept
    partitions = kept[1].get(index_name)
    if partitions is None:
        partitions, attr = {}, hash_attrs[0]
        for item in _unsorted_items(table):
            value = item.attrs.get(attr)
            if value is None:
                continue  # not in the index
            try:
                partitions.setdefault(value, []).append(item)
            except TypeError:
                continue  # a list, map or set: not a key query() could match
        kept[1][index_name] = partitions
    try:
        return partitions.get(hash_key, [])
    except TypeError:
        return _unsorted_items(table)


# 16
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent  # noqa: E402
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser  # noqa: E402
from moto.stepfunctions.parser.backend import execution_worker as sfn_execution_worker  # noqa: E402

# A component's key in an execution's heap (where its retry counters live) is fixed when it is made,
# not drawn on first use, so that executions sharing the component never draw two.
EvalComponent.heap_key = property(lambda self: "EvalComponent-%x" % id(self))
_programs = {}
_programs_lock = threading.Lock()


def _parse_once(definition):
    with _programs_lock:
        program = _programs.get(definition)
        if program is None:
            program = AmazonStateLanguageParser.parse(definition)[0]
            _programs[definition] = program
    return program


def _program_parsed_once(self):
    return _parse_once(self._evaluation_details.state_machine_details.definition)


class _ParserParsingOnce:
    """AmazonStateLanguageParser as CreateStateMachine's validation sees it: the program it parses
    is the one the executions then evaluate (the parse tree, which only validation returns, is not
    used there)."""

    @staticmethod
    def parse(definition):
        return _parse_once(definition), None


sfn_execution_worker.ExecutionWorker._get_evaluation_entrypoint = _program_parsed_once
parser_models.AmazonStateLanguageParser = _ParserParsingOnce


# 17
_retry_scale = float(os.environ.get("MOTO_SFN_RETRY_SCALE") or 1)
if _retry_scale != 1:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl  # noqa: E402

    class _ScaledSleep:
        """The time module as retrier_decl sees it: its sleep scaled, the rest as it is."""

        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds):
            time.sleep(seconds * _retry_scale)

    retrier_decl.time = _ScaledSleep()


# 18
from moto.core.common_models import BaseModel  # noqa: E402
from moto.ses import models as ses_models  # noqa: E402

# The classes themselves: the check runs for every instance moto makes (each DynamoDB item and copy).
_TRACKED = frozenset((ses_models.Message, ses_models.RawMessage, ses_models.TemplateMessage, ses_models.BulkTemplateMessage))


def _new_tracking_mail_only(cls, *args, **kwargs):
    instance = super(BaseModel, cls).__new__(cls)
    if cls in _TRACKED:
        cls.instances_tracked.append(instance)
    return instance


BaseModel.__new__ = staticmethod(_new_tracking_mail_only)


# 19
from werkzeug import serving as wz_serving  # noqa: E402
from werkzeug.wsgi import LimitedStream  # noqa: E402


class _NoDrainSelectors:
    """The selectors module as werkzeug's run_wsgi sees it: its read after a response (everything
    left on the socket, thrown away) finds nothing; on a kept connection it would throw away the
    client's next request. What is left of the request's own body is read below instead."""

    EVENT_READ = 1

    class DefaultSelector:
        def register(self, *args):
            pass

        def select(self, timeout=None):
            return []

        def close(self):
            pass


wz_serving.selectors = _NoDrainSelectors
_handler = wz_serving.WSGIRequestHandler
_setup, _make_environ, _run_wsgi, _send_header = (
    _handler.setup, _handler.make_environ, _handler.run_wsgi, _handler.send_header)


def _setup_without_delay(self):
    _setup(self)
    # A response goes out in two writes (headers, body): without this, each answer to a kept
    # connection would wait for the client's delayed ACK.
    self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _make_environ_body_bounded(self):
    environ = _make_environ(self)
    if not environ.get("wsgi.input_terminated"):  # chunked bodies end by themselves
        environ["wsgi.input"] = LimitedStream(self.rfile, int(environ.get("CONTENT_LENGTH") or 0))
    return environ


def _run_wsgi_then_finish_the_body(self):
    _run_wsgi(self)
    stream = self.environ["wsgi.input"]
    if isinstance(stream, LimitedStream):
        stream.exhaust()  # the next request starts where this one's body ends
    else:
        self.close_connection = True  # a chunked body moto may not have read to its end


def _send_header_keeping(self, keyword, value):
    if keyword.lower() == "connection" and value.lower() == "close":
        return
    _send_header(self, keyword, value)


_handler.setup = _setup_without_delay
_handler.make_environ = _make_environ_body_bounded
_handler.run_wsgi = _run_wsgi_then_finish_the_body
_handler.send_header = _send_header_keeping

# 20
from flask import debughelpers as flask_debughelpers  # noqa: E402
from moto.core import responses as core_responses  # noqa: E402
from moto.core import utils as core_utils  # noqa: E402
from moto.moto_api._internal.moto_random import MotoRandom  # noqa: E402

_method_names = core_utils.method_names_from_class


@functools.lru_cache(maxsize=None)
def _method_names_once(clazz):
    # A response class's methods are fixed once moto (and the patches above) are imported.
    return frozenset(_method_names(clazz))


core_responses.method_names_from_class = _method_names_once


def _random_string(self, length=20, include_digits=True, lower_case=False):
    pool = string.ascii_letters + (string.digits if include_digits else "")
    out = "".join(self.choices(pool, k=length))
    return out.lower() if lower_case else out


MotoRandom.get_random_string = _random_string
# moto runs Flask in debug mode; for every request with a body, debug mode builds a class to give
# a missing uploaded file a friendlier KeyError. moto's requests carry no form files.
flask_debughelpers.attach_enctype_error_multidict = lambda request: None

# 22
from moto.dynamodb.models import dynamo_type as ddb_dynamo_type  # noqa: E402
from moto.dynamodb.models.dynamo_type import Item as DynamoItem  # noqa: E402
from moto.dynamodb.models import table as ddb_table_module  # noqa: E402
from moto.dynamodb.models.utilities import bytesize as ddb_bytesize  # noqa: E402

_ddb_size = DynamoType.size
_ddb_project = DynamoItem.project
_sets = ("SS", "NS", "BS")


def _size_directly(self):
    # DynamoType.size without wrapping a map's values again: a value is a DynamoType already (a
    # plain {type: value} is wrapped, as 5.2.1 does with every value).
    t = self.type
    if t == "N":
        return len(str(self.value))
    if t in _sets:
        return _ddb_size(self)
    if t == "L":
        return sum([v.size() for v in self.value])
    if t == "M":
        return sum([ddb_bytesize(k) + (v if type(v) is DynamoType else DynamoType(v)).size() for k, v in self.value.items()])
    if isinstance(self.value, bool):
        return 1
    return ddb_bytesize(self.value)


def _project_top_level(self, projection_expressions):
    if not all(len(e) == 1 and "[" not in e[0] for e in projection_expressions):
        return _ddb_project(self, projection_expressions)
    # What 5.2.1 builds for top-level names: each kept attribute as plain values, in the order of
    # the expressions, then back to DynamoDB's types.
    kept = {}
    for (name,) in projection_expressions:
        if name in self.attrs and name not in kept:
            kept[name] = ddb_dynamo_type.deserializer.deserialize(self.attrs[name].to_regular_json())
    return DynamoItem(hash_key=self.hash_key, range_key=self.range_key, attrs=ddb_dynamo_type.serializer.serialize(kept)["M"])


DynamoType.size = _size_directly
DynamoItem.project = _project_top_level

_ddb_item_size = DynamoItem.size
_reading = threading.local()  # set while a Query or Scan of a table runs, under patch 9's lock


def _reads(method):
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        _reading.on = True
        try:
            return method(self, *args, **kwargs)
        finally:
            _reading.on = False

    return read


class _ResultsAreNotCopied:
    """moto.dynamodb.models.table's copy module, but for what a Query or Scan returns: an item or a
    list of items is not copied while one runs."""

    @staticmethod
    def deepcopy(value, memo=None):
        if getattr(_reading, "on", False) and (
                isinstance(value, DynamoItem) or (type(value) is list and all(isinstance(v, DynamoItem) for v in value))):
            return list(value) if type(value) is list else value
        return copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


_ddb_eq, _ddb_ne = DynamoType.__eq__, DynamoType.__ne__


def _eq(self, other):
    if self.type == "S" and other.type == "S":
        return self.value == other.value
    return _ddb_eq(self, other)


def _ne(self, other):
    if self.type == "S" and other.type == "S":
        return self.value != other.value
    return _ddb_ne(self, other)


DynamoTable.query = _reads(DynamoTable.query)
DynamoTable.scan = _reads(DynamoTable.scan)
ddb_table_module.copy = _ResultsAreNotCopied
DynamoType.__eq__, DynamoType.__ne__ = _eq, _ne

# 24
from moto.dynamodb.exceptions import ItemSizeTooLarge  # noqa: E402

_ddb_item_init = DynamoItem.__init__
_ddb_to_regular_json = DynamoType.to_regular_json
_immutable = (str, bytes, bool, int, float, type(None))


def _item_init_measured_once(self, hash_key, range_key, attrs):
    self.hash_key = hash_key
    self.range_key = range_key
    self.attrs = ddb_dynamo_type.LimitedSizeDict()
    for key, value in attrs.items():
        dict.__setitem__(self.attrs, key, DynamoType(value))
    # 5.2.1's LimitedSizeDict refuses an attribute when the sizes of the keys and values already
    # there and its own exceed 405,000 bytes; its last check, of the whole item, is the largest.
    if sum([ddb_bytesize(k) + v.size() for k, v in self.attrs.items()]) > 405000:
        raise ItemSizeTooLarge


def _to_regular_json_once(self):
    value = self.value
    if isinstance(value, dict):
        value = {k: v.to_regular_json() if isinstance(v, DynamoType) else copy.deepcopy(v) for k, v in value.items()}
    elif isinstance(value, list):
        value = [v.to_regular_json() if isinstance(v, DynamoType) else copy.deepcopy(v) for v in value]
    elif type(value) not in _immutable:
        value = copy.deepcopy(value)
    if self.is_binary() and isinstance(value, str):
        value = base64.b64decode(value)
    return {self.type: value}


DynamoItem.__init__ = _item_init_measured_once
DynamoType.to_regular_json = _to_regular_json_once

# 25
from moto.dynamodb.models import utilities as ddb_utilities  # noqa: E402

_ddb_to_dict = ddb_utilities.dynamo_to_dict


def _dynamo_to_dict_direct(obj):
    # The cases 5.2.1's dynamo_to_dict answers without its checks for a date or a to_json method,
    # which none of these types has; the rest goes to it (its recursion comes back here).
    t = type(obj)
    if t in _immutable:
        return obj
    if t is dict or t is ddb_dynamo_type.LimitedSizeDict:
        return {k: _dynamo_to_dict_direct(v) for k, v in obj.items()}
    if t is list:
        return [_dynamo_to_dict_direct(v) for v in obj]
    if t is DynamoType and obj.type not in ("B", "BS"):
        return {obj.type: _dynamo_to_dict_direct(obj.value)}
    return _ddb_to_dict(obj)


ddb_utilities.dynamo_to_dict = _dynamo_to_dict_direct
ddb_responses.dynamo_to_dict = _dynamo_to_dict_direct

# 26
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402

_ddb_update_item = DynamoDBBackend.update_item
_SIZE = "_attestation_size"


def _item_size_kept(self):
    # The size is kept on the item until an update changes it: an update is the one way moto
    # changes an item it holds in place (a put, a transaction's rollback and a copy make new items).
    size = self.__dict__.get(_SIZE)
    if size is None:
        size = _ddb_item_size(self)
        setattr(self, _SIZE, size)
    return size


def _update_item_forgetting_its_size(self, table_name, key, *args, **kwargs):
    item = None
    try:
        table = self.get_table(table_name)
        if isinstance(key, dict) and table.hash_key_attr in key:
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
            item = table.get_item(DynamoType(key[table.hash_key_attr]), range_key)
    except Exception:  # noqa: BLE001 - the update itself refuses such a key, as before
        item = None
    try:
        return _ddb_update_item(self, table_name, key, *args, **kwargs)
    finally:
        if item is not None:
            item.__dict__.pop(_SIZE, None)


DynamoItem.size = _item_size_kept
DynamoDBBackend.update_item = _update_item_forgetting_its_size

# 27
from moto.dynamodb.parsing import ast_nodes as ddb_ast  # noqa: E402
from moto.dynamodb.parsing import validators as ddb_validators  # noqa: E402

_ddb_traverse_node = ddb_ast.DepthFirstTraverser.traverse_node_recursively


def _traverse_node_typed_once(self, node, child_id=-1):
    # 5.2.1's traversal, with the node types the traverser processes asked for once per traverser
    # rather than once per node (its _processing_map does not change).
    if isinstance(node, ddb_ast.Node):
        types = self.__dict__.get("_attestation_types")
        if types is None:
            types = self._attestation_types = self.nodes_to_be_processed()
        parent_node = node.parent
        if node.children is not None:
            for i, child_node in enumerate(node.children):
                self.pre_processing_of_child(node, i)
                self.traverse_node_recursively(child_node, i)
        if isinstance(node, types):
            node = self.process(node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
    return node


def _checked_at_the_root(check):
    def traverse(self, node):
        # Each node below the root finds a part of the clauses or actions the root finds, so what
        # holds for the root holds for every node; where it does not hold, 5.2.1's whole traversal
        # runs and raises what it raised, from the node where it found it.
        if type(node) is ddb_ast.UpdateExpression:
            try:
                check(self, node)
            except Exception:  # noqa: BLE001 - the whole traversal raises it again, as before
                pass
            else:
                return node
        return ddb_ast.DepthFirstTraverser.traverse(self, node)

    return traverse


ddb_ast.DepthFirstTraverser.traverse_node_recursively = _traverse_node_typed_once
ddb_validators.ActionCountValidator.traverse = _checked_at_the_root(
    ddb_validators.ActionCountValidator.verify_action_counts)
ddb_validators.OverlappingPathsValidator.traverse = _checked_at_the_root(
    ddb_validators.OverlappingPathsValidator.check_for_overlapping_paths)

# 28
from moto.core import parse as moto_parse  # noqa: E402

_parse_json_structure = moto_parse.BaseJSONParser._parse_structure
_AS_SENT = frozenset(("S", "N", "NULL", "BOOL"))  # string and boolean members: taken as they are


def _parse_attribute_value(parser, shape, value):
    if type(value) is dict and len(value) == 1:
        (name, member), = value.items()
        if member is not None:
            if name in _AS_SENT:
                parsed = parser.MAP_TYPE()
                parsed[name] = member
                return parsed
            if (name == "SS" or name == "NS") and type(member) is list:
                parsed = parser.MAP_TYPE()
                parsed[name] = list(member)
                return parsed
            if name == "M" and type(member) is dict:
                inner = parser.MAP_TYPE()
                for k, v in member.items():
                    inner[k] = _parse_attribute_value(parser, shape, v)
                parsed = parser.MAP_TYPE()
                parsed[name] = inner
                return parsed
            if name == "L" and type(member) is list:
                parsed = parser.MAP_TYPE()
                parsed[name] = [_parse_attribute_value(parser, shape, v) for v in member]
                return parsed
    return _parse_json_structure(parser, shape, value)


def _parse_structure_attribute_values_directly(self, shape, value):
    if _is_attribute_value(shape):  # patch 11's test, its answer kept on the shape
        return _parse_attribute_value(self, shape, value)
    return _parse_json_structure(self, shape, value)


moto_parse.BaseJSONParser._parse_structure = _parse_structure_attribute_values_directly

# 29
import email.parser  # noqa: E402
import http.client  # noqa: E402
import re  # noqa: E402

_stdlib_parse_headers = http.client.parse_headers
_PLAIN_HEADER = re.compile(r"([\041-\071\073-\176]+):[ \t]*([\t\040-\176]*)\r\n")


def _parse_headers_directly(fp, _class=http.client.HTTPMessage):
    lines = http.client._read_headers(fp)
    if lines[-1] == b"\r\n" and not lines[0].startswith(b"From "):
        message = _class()
        set_raw, match = message.set_raw, _PLAIN_HEADER.fullmatch
        for line in lines[:-1]:
            m = match(line.decode("iso-8859-1"))
            if m is None:
                break
            set_raw(m.group(1), m.group(2))
        else:
            message.set_payload("")
            return message
    return email.parser.Parser(_class=_class).parsestr(b"".join(lines).decode("iso-8859-1"))


http.client.parse_headers = _parse_headers_directly

if __name__ == "__main__":
    main(sys.argv[1:])
