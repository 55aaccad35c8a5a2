package io.calltrack.core.pool;

import io.calltrack.core.testing.TestCluster;

/**
 * The pool contract of {@link PoolConcurrencyTest} (2,000 visitors at once on 500 numbers, one and
 * three engines) on a real 3-master, 3-replica Redis Cluster: each pool's keys in one slot, the
 * engines reach them through the cluster client.
 */
class PoolContractOnClusterTest extends PoolConcurrencyTest {
  @Override
  String redisTarget() {
    return TestCluster.shared().spec();
  }
}
