"""A pretend distributed deployment (`--cluster-peers N`, N >= 1): what `GET /cluster` and
`GET /collections/{name}/cluster` report. No other process exists: the other peers are names only,
and every point is still stored here, so a scroll through this node reads them all (as a real
cluster node does by forwarding to its peers).

`--cluster-peers 1` is a one-peer cluster: distributed mode is on (shard keys can be created) and
every shard is local, as on a Qdrant started with `cluster.enabled: true` and no other peer."""

# Qdrant v1.15.5 lib/collection/src/shards/replica_set/mod.rs `enum ReplicaState` (serialised by its
# variant names, no rename).
REPLICA_STATES = ("Active", "Dead", "Partial", "Initializing", "Listener", "PartialSnapshot", "Recovery",
                  "Resharding", "ReshardingScaleDown")


class ClusterLayout:
    def __init__(self, own_peer_id: int, peers: int):
        self.peers = max(0, peers)
        # Peer ids of the pretend peers follow ours; index 0 is this node.
        self.peer_ids = [own_peer_id + k for k in range(max(1, self.peers))]

    @property
    def enabled(self) -> bool:
        # Qdrant v1.15.5 src/main.rs: distributed mode is on when cluster.enabled is set, whatever
        # the number of peers (a single peer bootstraps a one-node consensus).
        return self.peers >= 1

    def status(self) -> dict:
        if not self.enabled:
            return {"status": "disabled"}
        return {
            "status": "enabled",
            "peer_id": self.peer_ids[0],
            "peers": {str(p): {"uri": f"http://peer-{k}.standin:6335/"} for k, p in enumerate(self.peer_ids)},
            "raft_info": {"term": 1, "commit": 10, "pending_operations": 0, "leader": self.peer_ids[0],
                          "role": "Leader", "is_voter": True},
            "consensus_thread_status": {"consensus_thread_status": "working",
                                        "last_update": "2026-01-01T00:00:00Z"},
            "message_send_failures": {},
        }

    def replicas(self, shard_id: int, replication_factor: int) -> list[int]:
        """Peer indexes holding `shard_id`: round robin from shard_id, `replication_factor` of them."""
        if not self.enabled:
            return [0]
        count = min(max(1, replication_factor), self.peers)
        return [(shard_id + j) % self.peers for j in range(count)]

    def peer_index(self, peer_id) -> int | None:
        try:
            return self.peer_ids.index(int(peer_id))
        except (ValueError, TypeError):
            return None

    def collection_info(self, collection) -> dict:
        """CollectionClusterInfo for `collection` (a store.Collection)."""
        params = collection.config["params"]
        replication = params.get("replication_factor") or 1
        shards = collection.shard_layout()  # [(shard_id, shard_key or None, points)]
        states = collection.replica_states  # {(shard_id, peer index): state} set by /__standin/replica_state
        local, remote = [], []
        for shard_id, key, points in shards:
            holders = self.replicas(shard_id, replication)
            if 0 in holders:
                entry = {"shard_id": shard_id, "points_count": points,
                         "state": states.get((shard_id, 0), "Active")}
                if key is not None:
                    entry["shard_key"] = key
                local.append(entry)
            for index in holders:
                if index == 0:
                    continue
                entry = {"shard_id": shard_id, "peer_id": self.peer_ids[index],
                         "state": states.get((shard_id, index), "Active")}
                if key is not None:
                    entry["shard_key"] = key
                remote.append(entry)
        return {"peer_id": self.peer_ids[0], "shard_count": len(shards), "local_shards": local,
                "remote_shards": remote, "shard_transfers": []}

    def other_active_replicas(self, collection, shard_id: int) -> bool:
        """Whether a peer other than this one holds an Active replica of `shard_id`."""
        replication = collection.config["params"].get("replication_factor") or 1
        return any(index != 0 and collection.replica_states.get((shard_id, index), "Active") in
                   ("Active", "ReshardingScaleDown")
                   for index in self.replicas(shard_id, replication))
