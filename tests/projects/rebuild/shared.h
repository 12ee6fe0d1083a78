#pragma once
#define REBUILD_RETVAL XDP_PASS
