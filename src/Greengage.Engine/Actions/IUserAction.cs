using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions;

/// <summary>The handler of one action that reads or changes one user's state. Runs inside that user's grain.</summary>
public interface IUserAction
{
    string Name { get; }

    ActionResult Handle(UserActionContext context);
}

/// <summary>
/// Looks at a user before and after a run of actions, in the user's grain: what the run changed as a whole (a user who
/// entered an audience). <see cref="Before"/> returns what to compare (null: nothing to watch for this app, the common
/// case, at the cost of one lookup); <see cref="After"/> may record and send through a context of the run.
/// </summary>
public interface IUserRunObserver
{
    object? Before(string appId, string userId, Users.UserState state, long nowMs);

    void After(object before, UserActionContext context);
}
