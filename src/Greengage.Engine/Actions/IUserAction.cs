using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions;

/// <summary>The handler of one action that reads or changes one user's state. Runs inside that user's grain.</summary>
public interface IUserAction
{
    string Name { get; }

    ActionResult Handle(UserActionContext context);
}
