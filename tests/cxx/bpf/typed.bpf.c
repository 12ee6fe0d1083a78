// typed.h compiled as C.
#include "typed.h"
