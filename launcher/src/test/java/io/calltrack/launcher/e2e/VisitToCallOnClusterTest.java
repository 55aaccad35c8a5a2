package io.calltrack.launcher.e2e;

import io.calltrack.core.testing.TestCluster;

/**
 * The visit → call scenario of {@link VisitToCallEndToEndTest} with the dni-server and the router on
 * a real 3-master, 3-replica Redis Cluster: a browser's assign, a SIP call through the router, the
 * call attributed to the visit.
 */
class VisitToCallOnClusterTest extends VisitToCallEndToEndTest {
  @Override
  String redisTarget() {
    return TestCluster.shared().spec();
  }
}
