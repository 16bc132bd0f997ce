"""The server's routes by job; each module's `router(backend)` returns an APIRouter."""
