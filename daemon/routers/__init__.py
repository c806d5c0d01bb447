"""The API's routes, one :class:`fastapi.APIRouter` per resource, each reaching the
running daemon through ``Depends``."""
