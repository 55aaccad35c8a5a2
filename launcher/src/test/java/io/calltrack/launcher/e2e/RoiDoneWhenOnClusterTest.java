package io.calltrack.launcher.e2e;

import io.calltrack.core.testing.TestCluster;

/**
 * The ROI done-when of {@link RoiDoneWhenTest} (visit, SIPp call through the router, outcome, spend,
 * ROI report and dashboard) on a real 3-master, 3-replica Redis Cluster: the same figures as on one
 * Redis.
 */
class RoiDoneWhenOnClusterTest extends RoiDoneWhenTest {
  @Override
  String redisTarget() {
    return TestCluster.shared().spec();
  }
}
